/**
 * Client RPC figures over loopback against real PostgreSQL (TEST_DATABASE_URL), printed as one summary:
 *   - push round trip, 1 record (p50/p99), against the same write through storage.push, interleaved
 *   - pushes per second, 50 concurrent clients on distinct spaces
 *   - push → `sync` latency to 100 subscribers of one space (p50/p99 per delivery, and to the last one)
 *   - pull of 10,000 records (records/s)
 * Server, database and every client share this machine, so client-side CBOR decoding is in the numbers.
 */
import { randomUUID } from 'node:crypto';
import { bench, describe } from 'vitest';
import { TestServer } from '../test/harness/index.js';

const url = process.env.TEST_DATABASE_URL;
if (!url) process.stdout.write('[bench] api sync figures skipped: set TEST_DATABASE_URL\n');

const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
const BLOB = new Uint8Array(100).fill(0x5a);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return `p50 ${fmt(percentile(sorted, 50))}  p99 ${fmt(percentile(sorted, 99))}  mean ${fmt(mean)}  (n=${sorted.length})`;
}

async function pushRoundTrip(): Promise<string> {
  const server = await TestServer.start({ blobs: false });
  try {
    const alice = server.user();
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const push = () =>
      c.call('push', { space, changes: [{ id: randomUUID(), blob: BLOB, expected_cursor: 0 }] });
    // The same write straight through storage, interleaved in blocks, so the RPC layer's share shows
    // on a shared, busy machine (the storage bench's push_hot is the same call).
    const direct = () => server.storage.push(space, [{ id: randomUUID(), blob: BLOB, cursor: 0 }]);
    for (let i = 0; i < 200; i++) await push();
    const samples: number[] = [];
    const floor: number[] = [];
    for (let block = 0; block < 40; block++) {
      for (const [fn, into] of [
        [push, samples],
        [direct, floor],
      ] as const) {
        for (let i = 0; i < 50; i++) {
          const t0 = performance.now();
          await fn();
          into.push(performance.now() - t0);
        }
      }
    }
    const p50 = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      );
    return (
      `push round trip (1 record, 100 B):            ${summary(samples)}\n` +
      `  same push via storage.push, interleaved:    ${summary(floor)}\n` +
      `  RPC / storage p50 ratio:                    ${(p50(samples) / p50(floor)).toFixed(2)}×\n`
    );
  } finally {
    await server.close();
  }
}

async function concurrentPushes(): Promise<string> {
  const server = await TestServer.start({ blobs: false, storage: { maxConnections: 20 } });
  try {
    const users = Array.from({ length: 50 }, (_, i) => server.user(`u${i}`));
    const clients = await Promise.all(users.map((u) => server.connect(u)));
    const perClient = 100;
    const run = (n: number) =>
      Promise.all(
        clients.map(async (c, i) => {
          const space = users[i]!.personalSpaceId;
          for (let k = 0; k < n; k++) {
            await c.call('push', { space, changes: [{ id: randomUUID(), blob: BLOB, expected_cursor: 0 }] });
          }
        }),
      );
    await run(10);
    const t0 = performance.now();
    await run(perClient);
    const seconds = (performance.now() - t0) / 1000;
    const total = clients.length * perClient;
    return `pushes/s, 50 clients on distinct spaces:      ${(total / seconds).toFixed(0)} pushes/s (${total} pushes in ${seconds.toFixed(2)} s, pool 20)\n`;
  } finally {
    await server.close();
  }
}

async function fanOutLatency(): Promise<string> {
  const server = await TestServer.start({ blobs: false, maxConnectionsPerMailbox: 200 });
  try {
    const alice = server.user();
    const space = alice.personalSpaceId;
    const subscribers = await Promise.all(Array.from({ length: 100 }, () => server.connect(alice)));
    await Promise.all(subscribers.map((c) => c.call('subscribe', { spaces: [{ id: space, since: 0 }] })));
    const pusher = await server.connect(alice);
    const perDelivery: number[] = [];
    const toLast: number[] = [];
    for (let i = 0; i < 220; i++) {
      const t0 = performance.now();
      const arrivals = subscribers.map((c) => c.nextNotification('sync').then(() => performance.now() - t0));
      await pusher.call('push', { space, changes: [{ id: randomUUID(), blob: BLOB, expected_cursor: 0 }] });
      const times = await Promise.all(arrivals);
      if (i < 20) continue; // warm-up
      perDelivery.push(...times);
      toLast.push(Math.max(...times));
    }
    return (
      `push → sync, 100 subscribers, per delivery:   ${summary(perDelivery)}\n` +
      `push → sync, 100 subscribers, to the last one: ${summary(toLast)}\n`
    );
  } finally {
    await server.close();
  }
}

async function pullThroughput(): Promise<string> {
  const server = await TestServer.start({ blobs: false });
  try {
    const alice = server.user();
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    await c.call('subscribe', { spaces: [{ id: space, since: 0 }] });
    for (let b = 0; b < 10; b++) {
      const changes = Array.from({ length: 1000 }, () => ({ id: randomUUID(), blob: BLOB, cursor: 0 }));
      await server.storage.push(space, changes);
    }
    const rates: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const reply = await c.request('pull', { spaces: [{ id: space, since: 0 }] }, { timeoutMs: 60_000 });
      const ms = performance.now() - t0;
      const records = reply.chunks.filter((ch) => ch.name === 'pull.record').length;
      if (records !== 10_000) throw new Error(`pulled ${records} records`);
      if (i > 0) rates.push((records / ms) * 1000);
    }
    rates.sort((a, b) => a - b);
    return `pull of 10,000 records (100 B blobs):          median ${percentile(rates, 50).toFixed(0)} records/s (best ${rates.at(-1)?.toFixed(0)}, n=${rates.length})\n`;
  } finally {
    await server.close();
  }
}

describe.skipIf(!url)('API-BENCH client RPC over loopback', () => {
  bench(
    'push, fan-out and pull figures (see the printed summary)',
    async () => {
      let out = '\n== @less-sync/api client RPC (loopback, real PostgreSQL) ==\n';
      out += await pushRoundTrip();
      out += await concurrentPushes();
      out += await fanOutLatency();
      out += await pullThroughput();
      process.stdout.write(out);
    },
    once,
  );
});
