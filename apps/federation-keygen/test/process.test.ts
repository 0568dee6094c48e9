import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createServer, loadConfig } from '@less-sync/app';
import {
  createPgExecutor,
  createPgliteExecutor,
  embeddedDatabaseDir,
  migrate,
  openStorage,
} from '@less-sync/storage';
import { createTestDatabase, type TestDatabase, testDatabaseBackend } from '@less-sync/storage/testing';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));
const main = join(appDir, 'dist', 'main.js');
const real = (await testDatabaseBackend()) !== 'pglite';

export interface Outcome {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** Runs the built CLI as a real process with only the given environment (bounded in time). */
export async function keygen(args: string[], env: Record<string, string>, cwd = appDir): Promise<Outcome> {
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd,
      timeout: 60_000,
    });
    return { code: 0, stdout: lines(stdout), stderr: lines(stderr) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: lines(e.stdout), stderr: lines(e.stderr) };
  }
}

export function schemaUrl(db: TestDatabase): string {
  const url = new URL(db.connectionString as string);
  url.searchParams.set('options', `-c search_path=${db.schema}`);
  return url.href;
}

const field = (out: Outcome, name: string) =>
  out.stdout.find((l) => l.startsWith(`${name}=`))?.slice(name.length + 1);

beforeAll(async () => {
  await run('npx', ['tsc', '-b'], { cwd: appDir });
}, 180_000);

describe('federation-keygen as a process', () => {
  it('CLI-KEYGEN-05 --help exits 0; usage errors exit 2; an unreachable database names itself and exits 1', async () => {
    const help = await keygen(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout[0]).toMatch(/^usage: less-sync-federation-keygen/);
    expect(await keygen([], {})).toEqual({
      code: 2,
      stdout: [],
      stderr: ['Error: --domain is required', 'Run with --help for usage.'],
    });
    expect((await keygen(['--domain', 'd', '--what'], {})).stderr[0]).toBe(
      'Error: unknown argument "--what"',
    );
    const down = await keygen(['--domain', 'd'], { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/keys' });
    expect(down.code).toBe(1);
    expect(down.stdout).toEqual([]);
    expect(down.stderr[0]).toMatch(
      /^Error: database error: cannot connect to PostgreSQL at postgres:\/\/u:\*+@127\.0\.0\.1:1\/keys: /,
    );
    expect(down.stderr[0]).not.toContain('secret');
  });

  it('R23 CLI-KEYGEN-03 with no DATABASE_URL it refuses an embedded database that does not exist (creates nothing)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keygen-none-'));
    try {
      const out = await keygen(['--domain', 'd.example'], { LESS_SYNC_DATA_DIR: dir });
      expect(out.code).toBe(1);
      expect(out.stdout).toEqual([]);
      expect(out.stderr[0]).toBe(
        `Error: database error: there is no embedded database ${join(dir, 'pglite')}: start the server once (or run "migrate up"), or set DATABASE_URL`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('R23 FED-KEY-04 stores the key in the embedded database of LESS_SYNC_DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keygen-embedded-'));
    try {
      const executor = await createPgliteExecutor({ dataDir: embeddedDatabaseDir(dir) });
      await migrate(executor);
      await executor.close();
      const out = await keygen(['--domain', 'sync.example.com', '--kid', 'fed-e'], {
        LESS_SYNC_DATA_DIR: dir,
      });
      expect(out.stderr).toEqual([]);
      expect(out.code).toBe(0);
      expect(field(out, 'promoted_for_signing')).toBe('true');
      const listed = await keygen(['--list'], { LESS_SYNC_DATA_DIR: dir });
      expect(listed.stdout).toEqual([
        `key_id=https://sync.example.com/.well-known/jwks.json#fed-e primary=true trusted_keys_entry=${field(out, 'trusted_keys_entry')}`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.runIf(real)('federation-keygen against PostgreSQL (FED-KEY-03, FED-KEY-04, R25, R27)', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeEach(async () => {
    db = await createTestDatabase();
    const executor = createPgExecutor({ connectionString: schemaUrl(db) });
    await migrate(executor);
    await executor.close();
    env = { DATABASE_URL: schemaUrl(db) };
    return () => db.drop();
  });

  async function stored() {
    const executor = createPgExecutor({ connectionString: schemaUrl(db), max: 1 });
    const storage = openStorage({ backend: 'postgres', pool: executor.pool });
    try {
      const primary = await storage.getFederationSigningKey();
      const active = await storage.listFederationPublicKeys();
      return { primary: primary?.kid, active: active.map((k) => k.kid) };
    } finally {
      await storage.close();
      await executor.close();
    }
  }

  it('FED-KEY-04 CLI-KEYGEN-04 prints exactly the reference lines; the entry pastes into FEDERATION_TRUSTED_KEYS', async () => {
    const out = await keygen(['--domain', 'Sync.Example.com', '--kid', 'fed-a', '--print-private'], env);
    expect(out.code).toBe(0);
    expect(out.stderr).toEqual([]);
    const keyId = 'https://sync.example.com/.well-known/jwks.json#fed-a';
    const pub = field(out, 'public_key_base64url') as string;
    const seed = field(out, 'private_seed_base64url') as string;
    expect(out.stdout).toEqual([
      'Generated federation signing key',
      `key_id=${keyId}`,
      `public_key_base64url=${pub}`,
      `trusted_keys_entry=${keyId}=${pub}`,
      `private_seed_base64url=${seed}`,
      'stored_in_database=true',
      'promoted_for_signing=true',
    ]);
    // The seed really is the private half of the printed public key.
    const privateKey = createPrivateKey({
      key: Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.from(seed, 'base64url'),
      ]),
      format: 'der',
      type: 'pkcs8',
    });
    expect(createPublicKey(privateKey).export({ format: 'jwk' }).x).toBe(pub);
    // A peer pastes the entry as is.
    const peer = loadConfig({ FEDERATION_TRUSTED_KEYS: field(out, 'trusted_keys_entry') ?? '' });
    expect(peer.federation.trustedKeys).toEqual([
      { keyId, domain: 'sync.example.com', publicKey: new Uint8Array(Buffer.from(pub, 'base64url')) },
    ]);
    expect(await stored()).toEqual({ primary: keyId, active: [keyId] });
  });

  it('R25 R27 run_no_promote_keeps_existing_primary: a second key is published but does not sign by default', async () => {
    const first = await keygen(['--domain', 'd.example', '--kid', 'one'], env);
    const second = await keygen(['--domain', 'd.example', '--kid', 'two'], env);
    const third = await keygen(['--domain', 'd.example', '--kid', 'three', '--no-promote'], env);
    expect(field(first, 'promoted_for_signing')).toBe('true');
    expect(field(second, 'promoted_for_signing')).toBe('false');
    expect(field(second, 'signing_key_id')).toBe('https://d.example/.well-known/jwks.json#one');
    expect(second.stdout).toContain('private_seed_base64url=<hidden> (pass --print-private to show)');
    expect(field(third, 'promoted_for_signing')).toBe('false');
    const ids = ['one', 'two', 'three'].map((k) => `https://d.example/.well-known/jwks.json#${k}`);
    expect(await stored()).toEqual({ primary: ids[0], active: ids });
  });

  it('FED-KEY-03 R27 rotation: --promote, overlap window, --retire the old key; the signing key cannot be retired', async () => {
    const id = (k: string) => `https://d.example/.well-known/jwks.json#${k}`;
    await keygen(['--domain', 'd.example', '--kid', 'old'], env);
    const rotated = await keygen(['--domain', 'd.example', '--kid', 'new', '--promote'], env);
    expect(field(rotated, 'promoted_for_signing')).toBe('true');
    expect(await stored()).toEqual({ primary: id('new'), active: [id('old'), id('new')] });

    const refused = await keygen(['--retire', id('new')], env);
    expect(refused).toMatchObject({ code: 1, stdout: [] });
    expect(refused.stderr[0]).toBe(
      `Error: "${id('new')}" is the signing key; promote another key first (--promote-existing)`,
    );
    expect(await keygen(['--retire', id('old')], env)).toEqual({
      code: 0,
      stdout: ['Retired federation signing key', `key_id=${id('old')}`, 'active=false'],
      stderr: [],
    });
    expect(await stored()).toEqual({ primary: id('new'), active: [id('new')] });

    // Rolling back: a retired key can be made the signing key again.
    expect((await keygen(['--promote-existing', id('old')], env)).stdout).toEqual([
      'Promoted federation signing key',
      `key_id=${id('old')}`,
      'promoted_for_signing=true',
    ]);
    expect(await stored()).toEqual({ primary: id('old'), active: [id('old'), id('new')] });
    expect((await keygen(['--promote-existing', id('none')], env)).stderr[0]).toBe(
      `Error: no federation key with id "${id('none')}"`,
    );
  });

  it('R27 CLI-KEYGEN-03 a reused --kid is an error and prints no key material', async () => {
    await keygen(['--domain', 'd.example', '--kid', 'same'], env);
    const again = await keygen(['--domain', 'd.example', '--kid', 'same', '--promote'], env);
    expect(again).toEqual({
      code: 1,
      stdout: [],
      stderr: [
        'Error: a federation key with id "https://d.example/.well-known/jwks.json#same" already exists; choose another --kid',
      ],
    });
  });

  it('R27 two keygens at once on an empty database: exactly one becomes the signing key', async () => {
    const [a, b] = await Promise.all([
      keygen(['--domain', 'd.example', '--kid', 'a'], env),
      keygen(['--domain', 'd.example', '--kid', 'b'], env),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([field(a, 'promoted_for_signing'), field(b, 'promoted_for_signing')].sort()).toEqual([
      'false',
      'true',
    ]);
    expect((await stored()).active).toHaveLength(2);
  });

  it('FED-HTTP-01 R25 a running server publishes a keygen-made key without a restart and never makes one itself', async () => {
    const server = await createServer(
      loadConfig({
        ...env,
        LISTEN_ADDR: '127.0.0.1:0',
        LOG_LEVEL: 'silent',
        FILE_STORAGE_BACKEND: 'local',
        FILE_STORAGE_PATH: join(tmpdir(), 'keygen-files'),
      }),
      { processMetrics: false },
    );
    try {
      const kids = async () => {
        const res = await server.app.request('/.well-known/jwks.json');
        expect(res.status).toBe(200);
        return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      };
      expect(await kids()).toEqual([]);
      expect((await stored()).active).toEqual([]);
      const out = await keygen(['--domain', 'live.example', '--kid', 'k1'], env);
      expect(out.code).toBe(0);
      // The JWKS is re-read after a short cache; wait for it with a deadline, asserting no timing.
      const deadline = Date.now() + 60_000;
      let seen = await kids();
      while (seen.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        seen = await kids();
      }
      expect(seen).toEqual(['https://live.example/.well-known/jwks.json#k1']);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('FED-KEY-03 R27 the same flow in-process (the CLI function the executable wraps)', async () => {
    const inProcess = async (argv: string[]) => {
      const out: Outcome = { code: 0, stdout: [], stderr: [] };
      out.code = await runCli(argv, env, {
        stdout: (l) => out.stdout.push(l),
        stderr: (l) => out.stderr.push(l),
      });
      return out;
    };
    const id = (k: string) => `https://d.example/.well-known/jwks.json#${k}`;
    expect((await inProcess(['--list'])).stdout).toEqual(['no active federation signing keys']);
    expect(field(await inProcess(['--domain', 'd.example', '--kid', 'a']), 'promoted_for_signing')).toBe(
      'true',
    );
    expect(field(await inProcess(['--domain', 'd.example', '--kid', 'b']), 'promoted_for_signing')).toBe(
      'false',
    );
    expect((await inProcess(['--domain', 'd.example', '--kid', 'b'])).code).toBe(1);
    expect((await inProcess(['--retire', id('a')])).stderr[0]).toContain('is the signing key');
    expect((await inProcess(['--promote-existing', id('b')])).code).toBe(0);
    expect((await inProcess(['--retire', id('a')])).code).toBe(0);
    expect((await inProcess(['--retire', id('zz')])).stderr[0]).toBe(
      `Error: no federation key with id "${id('zz')}"`,
    );
    expect((await inProcess(['--list'])).stdout).toEqual([
      expect.stringMatching(
        new RegExp(`^key_id=${id('b').replace(/[.#/]/g, '\\$&')} primary=true trusted_keys_entry=`),
      ),
    ]);
    const empty = await runCli(
      ['--list'],
      { DATABASE_URL: ' ' },
      { stdout: () => undefined, stderr: () => undefined },
    );
    expect(empty).toBe(1);
  });

  it('CLI-KEYGEN-03 an unmigrated schema: exit 1 naming the database and what to run', async () => {
    const empty = await createTestDatabase();
    try {
      const out = await keygen(['--domain', 'd.example'], { DATABASE_URL: schemaUrl(empty) });
      expect(out.code).toBe(1);
      expect(out.stdout).toEqual([]);
      expect(out.stderr[0]).toMatch(
        /^Error: database error: relation "federation_signing_keys" does not exist \(PostgreSQL at postgres:\/\/.*\); the schema is not migrated: run "migrate up"/,
      );
    } finally {
      await empty.drop();
    }
  });
});
