/**
 * The published shape of each package: `pnpm pack` makes a tarball with a README, a license, the built
 * `dist/` and its types; a scratch project outside the workspace installs the tarballs (workspace
 * dependencies resolved to the sibling tarballs) and imports every package through its `exports`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['core', 'auth', 'storage', 'realtime', 'api', 'app'] as const;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

let scratch: string;
const tarballs = new Map<string, string>();

function pnpm(args: string[], cwd: string): string {
  return execFileSync('pnpm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
}

/** What the scratch project runs: each package from its tarball, doing what its README shows. */
const CHECK = `
import { decodeCbor, encodeRequest, personalSpaceId, WS_SUBPROTOCOL } from '@less-sync/core';
import { compressPublicKey, decodeDidKey, encodeDidKey } from '@less-sync/auth';
import { createPgliteExecutor, migrate, openStorage } from '@less-sync/storage';
import { selectSubprotocol, InMemoryBroker } from '@less-sync/realtime';
import { buildClientHandlers, createApiServices } from '@less-sync/api';
import { createServer, loadConfig } from '@less-sync/app';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

const out = {};
out.core = decodeCbor(encodeRequest('1', 'pull', { spaces: [] })).method === 'pull' && WS_SUBPROTOCOL === 'less-rpc-v1'
  && personalSpaceId('https://i', 'u', 'c').length === 36;
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-65));
const compressed = compressPublicKey(raw);
out.auth = decodeDidKey(encodeDidKey(compressed)).compressed.length === 33;
const dir = process.argv[2];
const executor = await createPgliteExecutor({ dataDir: dir + '/pglite' });
const applied = await migrate(executor);
const storage = openStorage(executor, { owns: true });
const space = await storage.createSpace(randomUUID(), 'app', compressed);
out.storage = space.key_generation === 1 && applied.version >= 12;
await storage.close();
out.realtime = selectSubprotocol('less-rpc-v1') === 'less-rpc-v1' && typeof InMemoryBroker === 'function';
out.api = typeof createApiServices === 'function' && typeof buildClientHandlers === 'function';
const server = await createServer(loadConfig({ LISTEN_ADDR: '127.0.0.1:0', LESS_SYNC_DATA_DIR: dir + '/server', LOG_LEVEL: 'silent' }));
const { url } = await server.listen();
const health = await fetch(url + '/health');
out.app = health.status === 200;
await server.close();
console.log(JSON.stringify(out));
`;

beforeAll(async () => {
  execFileSync(process.execPath, [TSC, '-b', join(ROOT, 'packages/app')], { cwd: ROOT, stdio: 'pipe' });
  scratch = await mkdtemp(join(tmpdir(), 'less-sync-packaging-'));
  const packs = join(scratch, 'packs');
  for (const name of PACKAGES) {
    pnpm(['pack', '--pack-destination', packs], join(ROOT, 'packages', name));
  }
  for (const file of await readdir(packs)) {
    const match = /^less-sync-([a-z]+)-\d+\.\d+\.\d+\.tgz$/.exec(file);
    if (match?.[1]) tarballs.set(match[1], join(packs, file));
  }
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('publishable packages', () => {
  it('every package packs with README, LICENSE, its built entry point and types, and no sources or tests', () => {
    expect([...tarballs.keys()].sort()).toEqual([...PACKAGES].sort());
    for (const [name, tarball] of tarballs) {
      const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
      expect(files, name).toContain('package/README.md');
      expect(files, name).toContain('package/LICENSE');
      expect(files, name).toContain('package/dist/index.js');
      expect(files, name).toContain('package/dist/index.d.ts');
      expect(
        files.filter((f) => /^package\/(src|test|bench)\//.test(f) || f.endsWith('.tsbuildinfo')),
        name,
      ).toEqual([]);
      const manifest = JSON.parse(
        execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
      );
      expect(manifest.private, name).toBeUndefined();
      expect(manifest.license, name).toBe('MIT');
      expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toContain('workspace:');
    }
    const storageFiles = execFileSync('tar', ['tzf', tarballs.get('storage') ?? ''], { encoding: 'utf8' });
    expect(storageFiles).toContain('package/migrations/001_initial.up.sql');
  });

  it('a scratch project installs the tarballs and uses every package through its exports', async () => {
    const project = join(scratch, 'project');
    const deps = Object.fromEntries(
      [...tarballs].map(([name, file]) => [`@less-sync/${name}`, `file:${file}`]),
    );
    await mkdir(project, { recursive: true });
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        private: true,
        type: 'module',
        dependencies: deps,
        pnpm: { overrides: deps },
      }),
    );
    await writeFile(join(project, 'check.mjs'), CHECK);
    pnpm(
      ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'],
      project,
    );
    const output = execFileSync(process.execPath, ['check.mjs', join(scratch, 'data')], {
      cwd: project,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(JSON.parse(output.trim().split('\n').at(-1) ?? '{}')).toEqual({
      core: true,
      auth: true,
      storage: true,
      realtime: true,
      api: true,
      app: true,
    });
  });
});
