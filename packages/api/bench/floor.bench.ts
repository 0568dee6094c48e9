/**
 * Every figure of the performance goals beside its floor (bench/floor/server.ts), in the same process
 * and the same run, interleaved and repeated; each repeat gives one ratio and the summary prints the
 * min/median/max over repeats. Needs TEST_DATABASE_URL; `BENCH_QUICK=1` for a short run.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm --filter @less-sync/api exec \
 *     vitest bench --run bench/floor.bench.ts
 *
 * Both servers share one database schema and pool (different users), and every client runs in this
 * process too, so client-side work is the same on both sides of each ratio.
 */
import { randomUUID } from 'node:crypto';
import type { PgExecutor } from '@less-sync/storage';
import { bench, describe } from 'vitest';
import { TestClient, TestServer, type TestUser } from '../test/harness/index.js';
import { FloorServer } from './floor/server.js';
import { type Figure, figure, ms, percentile, QUICK, report } from './floor/stats.js';

const url = process.env.TEST_DATABASE_URL;
/** `BENCH_ONLY=pull,push` runs only those figures (push, throughput, pull, fanout, connect). */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
if (!url) process.stdout.write('[bench] api floor figures skipped: set TEST_DATABASE_URL\n');

const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
const REPEATS = QUICK ? 3 : 7;
const PUSH_BLOB = new Uint8Array(100).fill(0x5a);
const KIB = new Uint8Array(1024).fill(0x33);
const SUBSCRIBERS = 1_000;
const PULL_RECORDS = 20_000;

interface Sides {
  readonly server: TestServer;
  readonly floor: FloorServer;
}

const pushOne = (c: TestClient, space: string) =>
  c.call('push', { space, changes: [{ id: randomUUID(), blob: PUSH_BLOB, expected_cursor: 0 }] });

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Alternates which side goes first, so neither always runs on a warmer (or busier) machine. */
async function pair<T>(repeat: number, ours: () => Promise<T>, floor: () => Promise<T>): Promise<[T, T]> {
  if (repeat % 2 === 0) {
    const o = await ours();
    return [o, await floor()];
  }
  const f = await floor();
  return [await ours(), f];
}

async function connectBoth(s: Sides, user: TestUser, floorUser: TestUser): Promise<[TestClient, TestClient]> {
  const ours = await s.server.connect(user);
  const floor = await TestClient.connect(s.floor.url, { token: floorUser.token() });
  return [ours, floor];
}

async function pushRoundTrip(s: Sides, p50: Figure, p99: Figure): Promise<void> {
  const alice = s.server.user();
  const [ours, floor] = await connectBoth(s, alice, s.server.user());
  await floor.call('subscribe', { spaces: [] });
  const space = alice.personalSpaceId;
  // Warm until both sides are steady: with 200 pushes each the first repeats measured our (larger) code
  // being compiled, and with 1,000 the first repeats' p99 was still up to twice the later ones' on both
  // sides, ours more (the process and the new space's tables settling). 4,000 take about 6 s.
  for (let i = 0; i < 4000; i++) {
    await pushOne(ours, space);
    await pushOne(floor, space);
  }
  // p99 is the 1% tail: with 400 samples a repeat's p99 is its 4th-slowest push, and a few database or
  // machine hiccups decide it. 800 per repeat (400 quick) keep the tail's count from deciding the ratio.
  const block = 50;
  const blocks = QUICK ? 8 : 16;
  const all: number[] = [];
  const tails: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let b = 0; b < blocks; b++) {
      await pair(
        b,
        async () => {
          for (let i = 0; i < block; i++) mine.push(await timed(() => pushOne(ours, space)));
        },
        async () => {
          for (let i = 0; i < block; i++) theirs.push(await timed(() => pushOne(floor, space)));
        },
      );
    }
    p50.ratios.push(percentile(mine, 50) / percentile(theirs, 50));
    p99.ratios.push(percentile(mine, 99) / percentile(theirs, 99));
    all.push(percentile(mine, 50), percentile(theirs, 50));
    tails.push(percentile(mine, 99), percentile(theirs, 99));
  }
  p50.notes.push(`p50 per repeat, ours/floor: ${pairs(all)}`);
  p99.notes.push(`p99 per repeat, ours/floor: ${pairs(tails)}`);
  await Promise.all([ours.close(), floor.close()]);
}

function pairs(values: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) out.push(`${ms(values[i] ?? 0)}/${ms(values[i + 1] ?? 0)}`);
  return out.join(', ');
}

async function pushThroughput(s: Sides, fig: Figure): Promise<void> {
  const n = 32;
  const perClient = QUICK ? 30 : 80;
  const users = Array.from({ length: n }, () => s.server.user());
  const ours = await Promise.all(users.map((u) => s.server.connect(u)));
  const floors = await Promise.all(
    Array.from({ length: n }, () => TestClient.connect(s.floor.url, { token: s.server.user().token() })),
  );
  await Promise.all(floors.map((c) => c.call('subscribe', { spaces: [] })));
  const run = (clients: TestClient[], k: number) =>
    timed(() =>
      Promise.all(
        clients.map(async (c, i) => {
          const space = users[i]?.personalSpaceId as string;
          for (let j = 0; j < k; j++) await pushOne(c, space);
        }),
      ),
    );
  // Warm both sides with a whole repeat's work: the first repeat otherwise pays for optimising code.
  await run(ours, perClient);
  await run(floors, perClient);
  const rates: string[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const [mine, theirs] = await pair(
      r,
      () => run(ours, perClient),
      () => run(floors, perClient),
    );
    const total = n * perClient;
    rates.push(`${((total / mine) * 1000).toFixed(0)}/${((total / theirs) * 1000).toFixed(0)}`);
    fig.ratios.push(mine / theirs);
  }
  fig.notes.push(`pushes/s per repeat, ours/floor: ${rates.join(', ')}`);
  await Promise.all([...ours, ...floors].map((c) => c.close()));
}

async function openMany(n: number, open: () => Promise<TestClient>): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (let i = 0; i < n; i += 100) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, open))));
  }
  return out;
}

/** Push once, and time the ack and each subscriber's `sync` from the send. */
async function fanOutOnce(pusher: TestClient, subs: TestClient[], space: string) {
  const t0 = performance.now();
  const arrivals = subs.map((c) => c.nextNotification('sync').then(() => performance.now() - t0));
  const ack = pushOne(pusher, space).then(() => performance.now() - t0);
  const times = await Promise.all(arrivals);
  for (const c of subs) c.received.length = 0;
  return { ack: await ack, first: Math.min(...times), last: Math.max(...times) };
}

async function fanOut(s: Sides, fig: Figure, ackFig: Figure): Promise<void> {
  const alice = s.server.user();
  const bob = s.server.user();
  const space = alice.personalSpaceId;
  const subscribe = async (c: TestClient) => {
    await c.call('subscribe', { spaces: [{ id: space, since: 0 }] });
    return c;
  };
  const oursSubs = await openMany(SUBSCRIBERS, async () => subscribe(await s.server.connect(alice)));
  const floorSubs = await openMany(SUBSCRIBERS, async () =>
    subscribe(await TestClient.connect(s.floor.url, { token: bob.token() })),
  );
  const [ours, floor] = await connectBoth(s, alice, bob);
  const pushes = QUICK ? 15 : 40;
  for (let i = 0; i < 5; i++) {
    await fanOutOnce(ours, oursSubs, space);
    await fanOutOnce(floor, floorSubs, space);
  }
  let ackFirst = 0;
  let total = 0;
  const acks: number[] = [];
  const lasts: string[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const [mine, theirs] = await pair(
      r,
      async () => {
        const out = [];
        for (let i = 0; i < pushes; i++) out.push(await fanOutOnce(ours, oursSubs, space));
        return out;
      },
      async () => {
        const out = [];
        for (let i = 0; i < pushes; i++) out.push(await fanOutOnce(floor, floorSubs, space));
        return out;
      },
    );
    const oursLast = percentile(
      mine.map((m) => m.last),
      50,
    );
    const floorLast = percentile(
      theirs.map((m) => m.last),
      50,
    );
    fig.ratios.push(oursLast / floorLast);
    lasts.push(`${ms(oursLast)}/${ms(floorLast)}`);
    for (const m of mine) {
      total++;
      if (m.ack <= m.first) ackFirst++;
      acks.push(m.ack);
    }
    ackFig.ratios.push(
      percentile(
        mine.map((m) => m.ack),
        50,
      ) /
        percentile(
          mine.map((m) => m.first),
          50,
        ),
    );
  }
  fig.notes.push(`push → last subscriber's sync, median per repeat, ours/floor: ${lasts.join(', ')}`);
  ackFig.notes.push(
    `pusher's ack p50 ${ms(percentile(acks, 50))}; ack before the first subscriber's sync in ${ackFirst} of ${total} pushes`,
  );
  await Promise.all([...oursSubs, ...floorSubs, ours, floor].map((c) => c.close()));
}

async function pull(s: Sides, fig: Figure): Promise<void> {
  const alice = s.server.user();
  const bob = s.server.user();
  for (const user of [alice, bob]) {
    const space = user.personalSpaceId;
    await s.server.storage.getOrCreateSpace(space, user.clientId);
    for (let b = 0; b < PULL_RECORDS / 1000; b++) {
      const changes = Array.from({ length: 1000 }, () => ({ id: randomUUID(), blob: KIB, cursor: 0 }));
      await s.server.storage.push(space, changes);
    }
  }
  const [ours, floor] = await connectBoth(s, alice, bob);
  const once = async (c: TestClient, space: string) => {
    const t0 = performance.now();
    const reply = await c.request('pull', { spaces: [{ id: space, since: 0 }] }, { timeoutMs: 120_000 });
    const took = performance.now() - t0;
    const records = reply.chunks.filter((ch) => ch.name === 'pull.record').length;
    c.received.length = 0;
    if (records !== PULL_RECORDS) throw new Error(`pulled ${records} records`);
    return (records / took) * 1000;
  };
  await once(ours, alice.personalSpaceId);
  await once(floor, bob.personalSpaceId);
  const rates: string[] = [];
  for (let r = 0; r < REPEATS; r++) {
    // One pull is half a second: a repeat is the median of three interleaved pairs, so one collection
    // pause or neighbour's burst does not decide it.
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let k = 0; k < 3; k++) {
      const [m, t] = await pair(
        r + k,
        () => once(ours, alice.personalSpaceId),
        () => once(floor, bob.personalSpaceId),
      );
      mine.push(m);
      theirs.push(t);
    }
    const [m, t] = [percentile(mine, 50), percentile(theirs, 50)];
    fig.ratios.push(m / t);
    rates.push(`${m.toFixed(0)}/${t.toFixed(0)}`);
  }
  fig.notes.push(`records/s per repeat (median of 3 pairs), ours/floor: ${rates.join(', ')}`);
  await Promise.all([ours.close(), floor.close()]);
}

async function connectRate(s: Sides, fig: Figure): Promise<void> {
  const m = QUICK ? 100 : 250;
  const concurrency = 16;
  const session = async (target: string, user: TestUser) => {
    const c = await TestClient.connect(target, { token: user.token() });
    await c.call('subscribe', { spaces: [{ id: user.personalSpaceId, since: 0 }] });
    return c;
  };
  const batch = async (target: string): Promise<number> => {
    const users = Array.from({ length: m }, () => s.server.user());
    const open: TestClient[] = [];
    let next = 0;
    const took = await timed(() =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < users.length) open.push(await session(target, users[next++] as TestUser));
        }),
      ),
    );
    await Promise.all(open.map((c) => c.close()));
    return (m / took) * 1000;
  };
  // Warm both sides past the optimising compiler, as for the push round trip: one batch each left the
  // first repeats measuring our (larger) connect path being compiled.
  for (let i = 0; i < 3; i++) {
    await batch(s.server.url);
    await batch(s.floor.url);
  }
  const rates: string[] = [];
  for (let r = 0; r < REPEATS; r++) {
    // A batch takes a fraction of a second, so a neighbour's burst can decide it: as for pull, a repeat
    // is the median of three interleaved pairs.
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let k = 0; k < 3; k++) {
      const [m, t] = await pair(
        r + k,
        () => batch(s.server.url),
        () => batch(s.floor.url),
      );
      mine.push(m);
      theirs.push(t);
    }
    const [m, t] = [percentile(mine, 50), percentile(theirs, 50)];
    fig.ratios.push(m / t);
    rates.push(`${m.toFixed(0)}/${t.toFixed(0)}`);
  }
  fig.notes.push(
    `new users' connect + auth + first subscribe per second (median of 3 pairs), ours/floor: ${rates.join(', ')}`,
  );
}

describe.skipIf(!url)('API-BENCH less-sync beside the floor', () => {
  bench(
    'every goal figure with its floor (see the printed summary)',
    async () => {
      const server = await TestServer.start({
        blobs: false,
        storage: { maxConnections: 20 },
        maxConnectionsPerMailbox: SUBSCRIBERS + 10,
      });
      const floor = await FloorServer.start((server.db.executor as PgExecutor).pool, server.issuer.jwk);
      const s: Sides = { server, floor };
      const figures = {
        p50: figure('push round trip p50', '× floor time', '≤ 1.1'),
        p99: figure('push round trip p99', '× floor time', '≤ 1.3'),
        throughput: figure('push throughput, 32 clients', '× floor time (= times below floor rate)', '≤ 1.2'),
        pull: figure(`pull of ${PULL_RECORDS} × 1 KiB records`, '× floor rate', '≥ 0.9 in every repeat'),
        fanOut: figure(`fan-out of one push to ${SUBSCRIBERS} subscribers`, '× floor time', '≤ 1.2'),
        ack: figure(
          `pusher's ack with ${SUBSCRIBERS} subscribers`,
          "ack p50 / first subscriber's sync p50",
          '< 1: the ack leaves before the broadcast',
        ),
        connect: figure('connect + auth + first subscribe rate', '× floor rate', '≥ 0.8'),
      };
      const runs: [string, () => Promise<void>][] = [
        ['push', () => pushRoundTrip(s, figures.p50, figures.p99)],
        ['throughput', () => pushThroughput(s, figures.throughput)],
        ['pull', () => pull(s, figures.pull)],
        ['fanout', () => fanOut(s, figures.fanOut, figures.ack)],
        ['connect', () => connectRate(s, figures.connect)],
      ];
      try {
        for (const [name, run] of runs) if (ONLY === undefined || ONLY.has(name)) await run();
      } finally {
        process.stdout.write(report(Object.values(figures).filter((f) => f.ratios.length > 0)));
        await floor.close();
        await server.close();
      }
    },
    once,
  );
});
