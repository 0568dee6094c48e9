import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, type Child, freePort, startChild } from './child.js';

let dataDir: string;
const children: Child[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [join(APP_DIR, '../../node_modules/typescript/bin/tsc'), '-b'], {
    cwd: APP_DIR,
    stdio: 'pipe',
  });
  dataDir = await mkdtemp(join(tmpdir(), 'less-sync-lock-'));
}, 300_000);

afterAll(async () => {
  for (const c of children) {
    if (c.process.exitCode === null && c.process.signalCode === null) {
      c.process.kill('SIGKILL');
      await c.exited;
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<Child> {
  const child = startChild({ LISTEN_ADDR: `127.0.0.1:${await freePort()}`, LESS_SYNC_DATA_DIR: dataDir });
  children.push(child);
  return child;
}

describe('embedded database directory lock (R23, issue item 9)', () => {
  it('R23 a stale pid lock file naming a live pid (1) does not stop the server; a second live server is refused; after kill -9 the server restarts', async () => {
    // What a kill -9 in a container left behind with the old pid-file lock: pid 1 is always alive.
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'pglite.lock'), '1\n');
    const first = await start();
    await first.waitFor(/"msg":"server listening"/);

    const second = await start();
    expect((await second.exited).code).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${first.process.pid}`);
    expect(second.stdout).not.toMatch(/server listening/);

    first.process.kill('SIGKILL');
    await first.exited;
    const third = await start();
    await third.waitFor(/"msg":"server listening"/);
    third.process.kill('SIGTERM');
    expect(await third.exited).toEqual({ code: 0, signal: null });
  });
});
