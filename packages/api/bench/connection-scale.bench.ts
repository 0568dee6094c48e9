/**
 * Memory per idle authenticated connection at scale, beside the floor (bench/floor/server.ts: a bare
 * `ws` server that checks one ES256 JWT per connection). Each run opens IDLE_CONNECTIONS (default
 * 10,000; 2,000 with BENCH_QUICK=1) connections of distinct users from a child process, so this
 * process's heap holds only server-side state; the floor and less-sync alternate, twice each.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm --filter @less-sync/api exec \
 *     vitest bench --run bench/connection-scale.bench.ts
 *
 * Needs about IDLE_CONNECTIONS + 1,000 open files in this process and in the child (`ulimit -n`). For
 * 100,000 and beyond, see docs/benchmarks.md (file limits, port range, several source addresses).
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PgExecutor } from '@less-sync/storage';
import { bench, describe } from 'vitest';
import { TestServer } from '../test/harness/index.js';
import { FloorServer } from './floor/server.js';
import { QUICK, spread } from './floor/stats.js';

const url = process.env.TEST_DATABASE_URL;
if (!url) process.stdout.write('[bench] connection-scale figures skipped: set TEST_DATABASE_URL\n');

const CONNECTIONS = Number(process.env.IDLE_CONNECTIONS ?? (QUICK ? 2_000 : 10_000));
const ROUNDS = QUICK ? 1 : 2;
/**
 * Every run leaves its closed client ports in TIME_WAIT; spreading the clients over several loopback
 * source addresses (Linux routes all of 127/8 to lo) keeps later runs from running out of ports.
 */
const SOURCES =
  process.env.SOURCE_ADDRESSES ??
  (process.platform === 'linux' ? Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`).join(',') : '');
const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settle(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  readonly heapKiB: number;
  readonly rssKiB: number;
}

/** Opens the clients against `target`, waits until `ready()` counts them all, measures, disconnects. */
async function measure(target: string, tokensFile: string, ready: () => number): Promise<Sample> {
  const before = settle();
  const child = fork(fileURLToPath(new URL('./support/idle-clients.mjs', import.meta.url)), {
    env: { ...process.env, URL: target, TOKENS_FILE: tokensFile, SOURCE_ADDRESSES: SOURCES },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    // Bounded: a connect that never completes must fail the bench, not hang it.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('client process not ready after 180 s')), 180_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`client process exited with ${code}`));
      });
    });
    const deadline = Date.now() + 120_000;
    while (ready() < CONNECTIONS) {
      if (Date.now() > deadline) throw new Error(`only ${ready()} of ${CONNECTIONS} authenticated`);
      await sleep(20);
    }
    await sleep(200);
    const after = settle();
    return {
      heapKiB: (after.heap - before.heap) / CONNECTIONS / 1024,
      rssKiB: (after.rss - before.rss) / CONNECTIONS / 1024,
    };
  } finally {
    child.kill();
  }
}

describe.skipIf(!url)(`API-BENCH idle connections ×${CONNECTIONS}`, () => {
  bench(
    'heap and RSS per idle authenticated connection beside the floor (see the printed summary)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'less-sync-scale-'));
      const ours: Sample[] = [];
      const floor: Sample[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          // The floor first, then less-sync, each on a fresh server, users and tokens.
          {
            const server = await TestServer.start({ blobs: false });
            const floorServer = await FloorServer.start(
              (server.db.executor as PgExecutor).pool,
              server.issuer.jwk,
            );
            const file = join(dir, `floor-${round}`);
            await writeFile(
              file,
              Array.from({ length: CONNECTIONS }, () => server.user().token()).join('\n'),
            );
            floor.push(await measure(floorServer.url, file, () => floorServer.authenticated));
            await floorServer.close();
            await server.close();
          }
          {
            const server = await TestServer.start({
              blobs: false,
              connection: { keepaliveIntervalMs: 30_000 },
            });
            const file = join(dir, `ours-${round}`);
            await writeFile(
              file,
              Array.from({ length: CONNECTIONS }, () => server.user().token()).join('\n'),
            );
            ours.push(await measure(server.url, file, () => server.broker.size));
            await server.endpoint.shutdown({ graceMs: 2_000 });
            await server.close();
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const line = (label: string, xs: Sample[]) =>
        `${label}: heap ${xs.map((x) => x.heapKiB.toFixed(1)).join(' / ')} KiB, RSS ${xs
          .map((x) => x.rssKiB.toFixed(1))
          .join(' / ')} KiB per connection`;
      process.stdout.write(
        [
          '',
          `== idle authenticated connections ×${CONNECTIONS} (clients in a child process) ==`,
          line('less-sync', ours),
          line('floor    ', floor),
          `heap ratio per round: ${spread(ours.map((o, i) => o.heapKiB / (floor[i]?.heapKiB ?? Number.NaN)))} × floor (goal: ≤ 6 KiB per connection)`,
          'RSS deltas are informative only: allocator pages freed by an earlier run are reused by the next.',
          '',
        ].join('\n'),
      );
    },
    once,
  );
});
