import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../child.js';
import { type Child, devToken, pulledIds, Session, useFaultRig } from './support.js';

/**
 * A private PostgreSQL cluster (initdb + pg_ctl in a temp dir, on a free port), so this test can stop and
 * start "the database" without touching the shared server.
 */
class PrivateCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async create(): Promise<PrivateCluster> {
    const bin = await postgresBin();
    const dir = await mkdtemp(join(tmpdir(), 'less-sync-pg-'));
    await chmod(dir, 0o777);
    const cluster = new PrivateCluster(join(dir, 'data'), await freePort(), bin);
    cluster.run('initdb', ['-D', cluster.dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    cluster.start();
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    this.run('pg_ctl', [
      '-D',
      this.dir,
      '-w',
      '-t',
      '120',
      '-o',
      `-p ${this.port} -k ${join(this.dir, '..')} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-l',
      join(this.dir, '..', 'log'),
      'start',
    ]);
  }

  stop(): void {
    this.run('pg_ctl', ['-D', this.dir, '-w', '-t', '120', '-m', 'fast', 'stop']);
  }

  destroy(): void {
    spawnSync(...this.command('pg_ctl', ['-D', this.dir, '-m', 'immediate', 'stop']), { stdio: 'pipe' });
  }

  private run(tool: string, args: string[]): void {
    const [file, argv] = this.command(tool, args);
    execFileSync(file, argv, { stdio: 'pipe' });
  }

  /** PostgreSQL refuses to run as root: drop to the `postgres` user when we are root. */
  private command(tool: string, args: string[]): [string, string[]] {
    const path = join(this.bin, tool);
    if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', path, ...args]];
    return [path, args];
  }
}

async function postgresBin(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root)).sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined) throw new Error('no PostgreSQL installation under /usr/lib/postgresql');
  return join(root, versions[0], 'bin');
}

let cluster: PrivateCluster | undefined;

beforeAll(async () => {
  cluster = await PrivateCluster.create();
}, 300_000);

afterAll(async () => {
  cluster?.destroy();
  if (cluster) await rm(join(cluster.dir, '..'), { recursive: true, force: true });
});

// Registered after the cluster's hooks, so its afterAll (which reaps the server) runs before the cluster's.
const rig = useFaultRig({ scratchDatabase: false });

async function health(base: string): Promise<number> {
  try {
    return (await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) })).status;
  } catch {
    return 0;
  }
}

describe('fault: PostgreSQL stops and starts under the server', () => {
  it('FAULT-2 the server stays up, /health goes 503 then 200, and no acknowledged write is lost', async () => {
    const c = cluster as PrivateCluster;
    const port = await freePort();
    const { base, wsUrl } = await rig.start(port, { DATABASE_URL: c.url });
    const child = rig.child as Child;
    const { token, space } = await devToken(base, 'alice');
    const session = await Session.open(wsUrl, token);
    const acked: string[] = [];
    const push = async (): Promise<boolean> => {
      const id = randomUUID();
      const reply = await session.request(
        'push',
        { space, changes: [{ id, blob: new Uint8Array([1, 2, 3]), expected_cursor: 0 }] },
        30_000,
      );
      if (reply.result?.ok === true) acked.push(id);
      return reply.result?.ok === true;
    };
    for (let i = 0; i < 20; i++) expect(await push()).toBe(true);
    expect(await health(base)).toBe(200);

    c.stop();
    await expect.poll(() => health(base), { timeout: 60_000, interval: 250 }).toBe(503);
    // Writes during the outage fail cleanly (never acknowledged); the process stays up.
    for (let i = 0; i < 3; i++) await push();
    expect(child.process.exitCode).toBeNull();

    c.start();
    await expect.poll(() => health(base), { timeout: 120_000, interval: 250 }).toBe(200);
    await expect.poll(push, { timeout: 60_000, interval: 250 }).toBe(true);
    for (let i = 0; i < 10; i++) expect(await push()).toBe(true);
    expect(child.process.exitCode).toBeNull();

    const stored = await pulledIds(session, space);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(31);
    session.close();
  });
});
