/**
 * Federation over loopback, two built server processes on real PostgreSQL (TEST_DATABASE_URL), printed as
 * one summary, side by side in one run:
 *   - push round trip of a client of B to a space homed on A (forwarded) against the same push by a client
 *     of A (local, the floor), interleaved in blocks; goal: forwarded p50 at most 2× local
 *   - push → `sync` latency to a subscriber on B (cross-server) and, in the same pushes, to a subscriber on A
 *     (local, the floor); goal: cross-server p50 ≤ 5 ms
 * Servers, database and clients share this machine. Each figure is given per repeat so the spread shows.
 */
import { bench, describe } from 'vitest';
import { type Client, params } from '../test/federation/client.js';
import { type Pair, startPair } from '../test/federation/pair.js';
import { change, closeClients, seedSharedSpace } from '../test/federation/spaces.js';
import { buildAll } from '../test/federation/support.js';

const url = process.env.TEST_DATABASE_URL;
if (!url) process.stdout.write('[bench] federation figures skipped: set TEST_DATABASE_URL\n');

const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
const REPEATS = 3;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const ms = (x: number) => `${x.toFixed(2)} ms`;
const stats = (xs: readonly number[]) => {
  const s = sorted(xs);
  return { p50: percentile(s, 50), p99: percentile(s, 99), n: s.length };
};

interface Pusher {
  readonly client: Client;
  readonly ucan: string;
}

async function timedPush(p: Pusher, space: string): Promise<number> {
  const t0 = performance.now();
  const result = await p.client.call('push', { space, ucan: p.ucan, changes: [change(100)] });
  if (result.ok !== true) throw new Error(`push failed: ${JSON.stringify(result)}`);
  return performance.now() - t0;
}

/** Forwarded vs local push round trip, blocks of 50 interleaved, `REPEATS` times. */
async function roundTrips(pair: Pair): Promise<string> {
  const space = await seedSharedSpace(pair);
  const local = await space.member(pair.a);
  const forwarded = await space.member(pair.b);
  for (let i = 0; i < 100; i++) {
    await timedPush(local, space.id);
    await timedPush(forwarded, space.id);
  }
  let out = '';
  const ratios: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let block = 0; block < 8; block++) {
      for (let i = 0; i < 50; i++) a.push(await timedPush(local, space.id));
      for (let i = 0; i < 50; i++) b.push(await timedPush(forwarded, space.id));
    }
    const la = stats(a);
    const fb = stats(b);
    ratios.push(fb.p50 / la.p50);
    out +=
      `  repeat ${r + 1}: local p50 ${ms(la.p50)} p99 ${ms(la.p99)} | forwarded p50 ${ms(fb.p50)} p99 ${ms(fb.p99)}` +
      ` | ratio ${(fb.p50 / la.p50).toFixed(2)}× (n=${la.n}+${fb.n})\n`;
  }
  const rs = sorted(ratios);
  return (
    `push round trip, 1 record of 100 B, forwarded (client of B → A) vs local (client of A):\n${out}` +
    `  forwarded / local p50: ${rs[0]?.toFixed(2)}–${rs.at(-1)?.toFixed(2)}× (goal ≤ 2×)\n`
  );
}

/** Push on A → `sync` at a subscriber on B (through B's peer socket) and at one on A, same pushes. */
async function crossServerLatency(pair: Pair): Promise<string> {
  const space = await seedSharedSpace(pair);
  const pusher = await space.member(pair.a);
  const remote = await space.member(pair.b, '/space/read');
  const near = await space.member(pair.a, '/space/read');
  for (const m of [remote, near]) {
    await m.client.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: m.ucan }] });
  }
  let cursor = 0;
  const sample = async (into?: { remote: number[]; near: number[] }) => {
    const expected = ++cursor;
    const t0 = performance.now();
    const arrive = (c: Client) =>
      c.next((f) => f.method === 'sync' && params(f).cursor === expected).then(() => performance.now() - t0);
    const arrivals = Promise.all([arrive(remote.client), arrive(near.client)]);
    await pusher.client.call('push', { space: space.id, ucan: pusher.ucan, changes: [change(100)] });
    const [r, n] = await arrivals;
    into?.remote.push(r);
    into?.near.push(n);
  };
  for (let i = 0; i < 50; i++) await sample();
  let out = '';
  const p50s: number[] = [];
  const extras: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const into = { remote: [] as number[], near: [] as number[] };
    for (let i = 0; i < 200; i++) await sample(into);
    const rs = stats(into.remote);
    const ns = stats(into.near);
    // The hop B adds, per push: arrival on B minus arrival on A of the same change.
    const extra = stats(into.remote.map((x, i) => x - (into.near[i] ?? Number.NaN)));
    p50s.push(rs.p50);
    extras.push(extra.p50);
    out +=
      `  repeat ${r + 1}: subscriber on B p50 ${ms(rs.p50)} p99 ${ms(rs.p99)}` +
      ` | subscriber on A p50 ${ms(ns.p50)} p99 ${ms(ns.p99)}` +
      ` | B − A per push p50 ${ms(extra.p50)} p99 ${ms(extra.p99)} (n=${rs.n})\n`;
  }
  const ps = sorted(p50s);
  const xs = sorted(extras);
  return (
    `push on A → sync, cross-server (subscriber on B) vs local (subscriber on A), same pushes:\n${out}` +
    `  cross-server p50: ${ms(ps[0] ?? Number.NaN)}–${ms(ps.at(-1) ?? Number.NaN)} (goal ≤ 5 ms);` +
    ` added by the hop: ${ms(xs[0] ?? Number.NaN)}–${ms(xs.at(-1) ?? Number.NaN)}\n`
  );
}

describe.skipIf(!url)('FED-BENCH federation over loopback', () => {
  bench(
    'forwarded push and cross-server sync figures (see the printed summary)',
    async () => {
      buildAll();
      const pair = await startPair();
      try {
        let out = '\n== @less-sync/server federation, two processes on loopback (real PostgreSQL) ==\n';
        out += await roundTrips(pair);
        out += await crossServerLatency(pair);
        process.stdout.write(out);
      } finally {
        closeClients();
        await pair.stop();
      }
    },
    once,
  );
});
