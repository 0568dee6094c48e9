/**
 * Cross-instance figures per transport (PostgreSQL LISTEN/NOTIFY, Redis Streams, NATS JetStream), with
 * three real server processes on one database schema, printed as one summary:
 *   - push → `sync` latency for a subscriber on the pusher's instance (the floor) and on another instance,
 *     measured on the same pushes; p50 per repeat, spread min/median/max over repeats
 *   - delivered notifications per second with 3 instances (12 users pushing at once, two subscribers
 *     each), every subscriber on another instance than its pusher, beside the same load with every
 *     subscriber on the pusher's instance (the floor)
 * Needs TEST_DATABASE_URL; Redis/NATS figures are skipped with a note when nothing answers at
 * REDIS_URL/NATS_URL. Servers, database, brokers and clients share this machine.
 */
import { randomUUID } from 'node:crypto';
import { bench, describe } from 'vitest';
import { answers, dropStream } from '../test/cluster/broker-case.js';
import {
  buildServer,
  type Instance,
  params,
  type Session,
  session,
  startInstance,
  stopInstance,
} from '../test/cluster/support.js';
import { admin } from '../test/database.js';

const DATABASE_URL = process.env.TEST_DATABASE_URL;
if (!DATABASE_URL) process.stdout.write('[bench] cluster figures skipped: set TEST_DATABASE_URL\n');
const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
const REPEATS = 3;
const LATENCY_PUSHES = 200;
const LOAD_PUSHES = 100;
const USERS_PER_INSTANCE = 4;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const spread = (xs: number[], digits: number) => {
  const s = sorted(xs);
  return `${s[0]?.toFixed(digits)} / ${percentile(s, 50).toFixed(digits)} / ${s.at(-1)?.toFixed(digits)}`;
};

/** Resolves with the arrival time of the `sync` carrying `cursor`. */
function arrival(s: Session, cursor: number): Promise<number> {
  return s
    .waitFor((f) => f.method === 'sync' && params(f).cursor === cursor, 30_000)
    .then(() => performance.now());
}

async function withCluster<T>(
  env: Record<string, string>,
  fn: (i: Instance[]) => Promise<T>,
  broker?: { name: 'redis' | 'nats'; url: string; port: number },
): Promise<T> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await admin((c) => c.query(`CREATE SCHEMA "${schema}"`));
  const url = new URL(DATABASE_URL as string);
  url.searchParams.set('options', `-csearch_path=${schema}`);
  const all = { DATABASE_URL: url.toString(), ...env };
  const instances: Instance[] = [];
  try {
    instances.push(await startInstance(all));
    instances.push(...(await Promise.all([startInstance(all), startInstance(all)])));
    return await fn(instances);
  } finally {
    await Promise.all(instances.map((i) => stopInstance(i)));
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    if (broker !== undefined) await dropStream(broker.name, broker.url, broker.port, schema);
  }
}

async function connect(instance: Instance, user: string): Promise<{ s: Session; space: string }> {
  const t = await instance.token(user);
  const s = await session(instance.wsUrl, t.token);
  await s.call('subscribe', { spaces: [{ id: t.space, since: 0 }] });
  return { s, space: t.space };
}

async function push(s: Session, space: string): Promise<number> {
  const r = await s.call('push', {
    space,
    changes: [{ id: randomUUID(), blob: new Uint8Array(100).fill(7), expected_cursor: 0 }],
  });
  return Number(r.cursor);
}

/** p50 latency (ms) to a subscriber on the pusher's instance and to one on another instance. */
async function latency(instances: Instance[]): Promise<{ same: number; cross: number }> {
  const [a, b] = instances as [Instance, Instance];
  const user = `lat-${randomUUID()}`;
  const pusher = await connect(a, user);
  const same = await connect(a, user);
  const other = await connect(b, user);
  try {
    const sameMs: number[] = [];
    const crossMs: number[] = [];
    for (let i = 0; i < LATENCY_PUSHES + 20; i++) {
      const t0 = performance.now();
      const cursor = await push(pusher.s, pusher.space);
      const [tSame, tCross] = await Promise.all([arrival(same.s, cursor), arrival(other.s, cursor)]);
      if (i >= 20) {
        sameMs.push(tSame - t0);
        crossMs.push(tCross - t0);
      }
      same.s.notifications.length = 0;
      other.s.notifications.length = 0;
    }
    return { same: percentile(sorted(sameMs), 50), cross: percentile(sorted(crossMs), 50) };
  } finally {
    for (const c of [pusher, same, other]) c.s.close();
  }
}

/**
 * USERS_PER_INSTANCE users per instance, each with one pusher on that instance and two subscribers: on
 * the two other instances (`cross`) or on the pusher's instance (`local`); every user pushes LOAD_PUSHES
 * changes one after another, all users at once. Returns delivered notifications per second.
 */
async function throughput(instances: Instance[], cross: boolean): Promise<number> {
  const homes = instances.flatMap((_, i) => Array.from({ length: USERS_PER_INSTANCE }, () => i));
  const users = homes.map((i) => ({ home: i, name: `load-${i}-${randomUUID()}` }));
  const pushers = await Promise.all(users.map((u) => connect(instances[u.home] as Instance, u.name)));
  const subscribers = await Promise.all(
    users.map((u) =>
      Promise.all(
        [1, 2].map((k) =>
          connect(instances[cross ? (u.home + k) % 3 : u.home] as Instance, u.name).then((c) => c.s),
        ),
      ),
    ),
  );
  try {
    const t0 = performance.now();
    const lasts = await Promise.all(
      pushers.map(async (p) => {
        let last = 0;
        for (let n = 0; n < LOAD_PUSHES; n++) last = await push(p.s, p.space);
        return last;
      }),
    );
    await Promise.all(subscribers.flatMap((subs, i) => subs.map((s) => arrival(s, lasts[i] as number))));
    const elapsed = (performance.now() - t0) / 1000;
    let delivered = 0;
    for (const subs of subscribers)
      for (const s of subs)
        for (const f of s.notifications)
          if (f.method === 'sync') delivered += (params(f).records as unknown[]).length;
    return delivered / elapsed;
  } finally {
    for (const p of pushers) p.s.close();
    for (const s of subscribers.flat()) s.close();
  }
}

async function transportFigures(
  name: string,
  broker?: { name: 'redis' | 'nats'; url: string; port: number },
): Promise<string> {
  const env: Record<string, string> = broker === undefined ? {} : { BROKER_URL: broker.url };
  return withCluster(
    env,
    async (instances) => {
      // Warm up the three processes (JIT, pools, prepared statements) before measuring.
      await latency(instances);
      const same: number[] = [];
      const cross: number[] = [];
      const localRate: number[] = [];
      const crossRate: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const l = await latency(instances);
        same.push(l.same);
        cross.push(l.cross);
        localRate.push(await throughput(instances, false));
        crossRate.push(await throughput(instances, true));
      }
      const added = cross.map((c, i) => c - (same[i] as number));
      const ratio = crossRate.map((c, i) => c / (localRate[i] as number));
      return (
        `${name}:\n` +
        `  push → sync p50, same instance (floor)   ${spread(same, 2)} ms  (min / median / max of ${REPEATS} repeats × ${LATENCY_PUSHES})\n` +
        `  push → sync p50, other instance          ${spread(cross, 2)} ms\n` +
        `  cross-instance adds                      ${spread(added, 2)} ms\n` +
        `  delivered/s, 3 instances, local (floor)  ${spread(localRate, 0)}\n` +
        `  delivered/s, 3 instances, cross          ${spread(crossRate, 0)}  (ratio ${spread(ratio, 2)}×)\n`
      );
    },
    broker,
  );
}

describe.skipIf(!DATABASE_URL)('CLUSTER-BENCH cross-instance delivery per transport', () => {
  bench(
    'push → sync latency and delivered/s over 3 instances (see the printed summary)',
    async () => {
      buildServer();
      const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
      const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
      let out = '\n== cluster: 3 server processes, one PostgreSQL schema (loopback) ==\n';
      out += await transportFigures('postgres (LISTEN/NOTIFY)');
      if (await answers(redisUrl, 6379))
        out += await transportFigures('redis (Streams)', { name: 'redis', url: redisUrl, port: 6379 });
      else out += `redis: skipped, nothing answers at ${redisUrl}\n`;
      if (await answers(natsUrl, 4222))
        out += await transportFigures('nats (JetStream)', { name: 'nats', url: natsUrl, port: 4222 });
      else out += `nats: skipped, nothing answers at ${natsUrl}\n`;
      process.stdout.write(out);
    },
    once,
  );
});
