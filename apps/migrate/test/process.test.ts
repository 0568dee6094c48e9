import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase, testDatabaseBackend } from '@less-sync/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaUrl } from './helpers.js';

const run = promisify(execFile);
const app = fileURLToPath(new URL('..', import.meta.url));
const main = join(app, 'dist', 'main.js');
const real = (await testDatabaseBackend()) !== 'pglite';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(args: string[], env: Record<string, string>, cwd: string): Promise<Outcome> {
  const base = { PATH: process.env.PATH ?? '' };
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], {
      env: { ...base, ...env },
      cwd,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The built CLI (`pnpm migrate` runs dist/main.js): it must find the migrations folder from dist/.
describe('CLI-MIGRATE-08 the built executable', () => {
  let cwd: string;
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    await run('npx', ['tsc', '-b'], { cwd: app });
    cwd = await mkdtemp(join(tmpdir(), 'less-sync-proc-'));
    if (real) t = await createTestDatabase();
  }, 180_000);
  afterAll(async () => {
    await t?.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('exit codes and streams', async () => {
    expect(existsSync(main)).toBe(true);
    const help = await node(['--help'], {}, cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: less-sync-migrate/);
    const bad = await node(['nope'], {}, cwd);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^Error: unknown command nope\nusage:/);
    const unreachable = await node(['up'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/db' }, cwd);
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toMatch(
      /^Error: cannot connect to PostgreSQL at postgres:\/\/x@127\.0\.0\.1:1\/db: /,
    );
  });

  it.runIf(real)('migrates a PostgreSQL schema from dist/', async () => {
    const env = { DATABASE_URL: schemaUrl(t?.connectionString as string, t?.schema as string) };
    const up = await node([], env, cwd);
    expect(up.code).toBe(0);
    expect(up.stdout.split('\n').slice(-3)).toEqual([
      'applied 14 federation quota',
      'migrations complete',
      '',
    ]);
    expect(await node(['version'], env, cwd)).toEqual({ code: 0, stdout: '14\n', stderr: '' });
  });
});
