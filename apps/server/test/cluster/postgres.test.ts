/**
 * Many instances, one service, over PostgreSQL LISTEN/NOTIFY (the default transport): three real server
 * processes on one database schema, clients on different instances.
 */
import { randomUUID } from 'node:crypto';
import { channelFor } from '@less-sync/app';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildServer,
  type Instance,
  params,
  type Session,
  session,
  startInstance,
  stopInstance,
} from './support.js';

/**
 * A real PostgreSQL is required: the whole point is many processes on one database. Under CI it must run;
 * elsewhere (a machine with only the embedded database) the suite is skipped with a note.
 */
const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const reachable = await (async () => {
  const probe = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await probe.connect();
    return true;
  } catch {
    return false;
  } finally {
    await probe.end().catch(() => undefined);
  }
})();
if (!reachable && process.env.CI === 'true')
  throw new Error(`the cluster suite needs PostgreSQL at ${BASE_URL}`);
if (!reachable) console.warn(`cluster suite skipped: no PostgreSQL at ${BASE_URL} (set TEST_DATABASE_URL)`);
const db = { connectionString: BASE_URL, schema: `cluster_${randomUUID().replaceAll('-', '').slice(0, 16)}` };

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
let env: Record<string, string>;
const instances: Instance[] = [];
const sessions: Session[] = [];

function databaseUrl(): string {
  const url = new URL(db.connectionString);
  url.searchParams.set('options', `-csearch_path=${db.schema}`);
  return url.toString();
}

beforeAll(async () => {
  if (!reachable) return;
  buildServer();
  await admin((c) => c.query(`CREATE SCHEMA "${db.schema}"`));
  console.log('backend=postgres (cluster suite)');
  env = { DATABASE_URL: databaseUrl(), CLUSTER_HEARTBEAT_MS: '300', CLUSTER_DEAD_AFTER_MS: '1500' };
  // The first start creates the schema; the others join it.
  instances.push(await startInstance(env));
  instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
}, 300_000);

afterAll(async () => {
  if (!reachable) return;
  for (const s of sessions) s.close();
  await Promise.all(instances.map((i) => stopInstance(i)));
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`));
});

async function connect(instance: Instance, user: string) {
  const t = await instance.token(user);
  const s = await session(instance.wsUrl, t.token);
  sessions.push(s);
  return { s, ...t };
}

describe.skipIf(!reachable)('cluster over PostgreSQL LISTEN/NOTIFY', () => {
  it('BROKER-10 RPC-PUSH-3 a push on one instance reaches subscribers on the two others', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const user = `u-${randomUUID()}`;
    const onA = await connect(a, user);
    const onB = await connect(b, user);
    const onC = await connect(c, user);
    for (const x of [onA, onB, onC]) await x.s.call('subscribe', { spaces: [{ id: x.space, since: 0 }] });
    const record = randomUUID();
    const pushed = await onB.s.call('push', {
      space: onB.space,
      changes: [{ id: record, blob: new Uint8Array([1, 2, 3]), expected_cursor: 0 }],
    });
    expect(pushed.ok).toBe(true);
    for (const x of [onA, onC]) {
      const sync = await x.s.waitFor((f) => f.method === 'sync');
      expect(params(sync).cursor).toBe(pushed.cursor);
      expect((params(sync).records as Array<Record<string, unknown>>)[0]?.id).toBe(record);
    }
    // The pusher's own connection is excluded, on every instance.
    expect(onB.s.notifications.filter((f) => f.method === 'sync')).toHaveLength(0);
  });

  it('BROKER-10 a push too large for a NOTIFY payload is read back by cursor on the other instance', async () => {
    const [a, b] = instances as [Instance, Instance];
    const user = `u-${randomUUID()}`;
    const onA = await connect(a, user);
    const onB = await connect(b, user);
    for (const x of [onA, onB]) await x.s.call('subscribe', { spaces: [{ id: x.space, since: 0 }] });
    const blob = new Uint8Array(64 * 1024).fill(7);
    const pushed = await onB.s.call('push', {
      space: onB.space,
      changes: [{ id: randomUUID(), blob, expected_cursor: 0 }],
    });
    const sync = await onA.s.waitFor((f) => f.method === 'sync');
    expect(params(sync).cursor).toBe(pushed.cursor);
    const rec = (params(sync).records as Array<Record<string, unknown>>)[0];
    expect((rec as Record<string, unknown>).blob).toHaveLength(blob.byteLength);
  });

  it('PRESENCE-1 PRESENCE-3 EVENT-1 presence, events and presence.leave cross instances with one pseudonym', async () => {
    const [a, b] = instances as [Instance, Instance];
    const user = `u-${randomUUID()}`;
    const onA = await connect(a, user);
    const onB = await connect(b, user);
    await onA.s.call('subscribe', { spaces: [{ id: onA.space, since: 0 }] });
    await onB.s.call('subscribe', { spaces: [{ id: onB.space, since: 0 }] });
    onB.s.notify('presence.set', { space: onB.space, data: new Uint8Array([5]) });
    const presence = await onA.s.waitFor((f) => f.method === 'presence');
    const peer = params(presence).peer;
    onB.s.notify('event.send', { space: onB.space, data: new Uint8Array([9]) });
    const event = await onA.s.waitFor((f) => f.method === 'event');
    expect(params(event).peer).toBe(peer);
    onB.s.notify('presence.clear', { space: onB.space });
    const leave = await onA.s.waitFor((f) => f.method === 'presence.leave');
    expect(params(leave).peer).toBe(peer);
    for (const x of [onA, onB]) x.s.close();
  });

  it('BROKER-04 the per-mailbox connection cap counts connections on every instance', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const user = `u-${randomUUID()}`;
    const first = await connect(a, user);
    const second = await connect(b, user);
    const third = await connect(c, user);
    // A reply proves the connection authenticated, so its slot is taken before the fourth one tries.
    for (const x of [first, second, third])
      await x.s.call('subscribe', { spaces: [{ id: x.space, since: 0 }] });
    const fourth = await connect(a, user);
    expect(await fourth.s.closed).toBe(4003);
    // A freed slot on one instance admits a connection on another.
    first.s.close();
    await first.s.closed;
    const again = await connect(c, user);
    await again.s.call('subscribe', { spaces: [{ id: again.space, since: 0 }] });
    expect(again.s.ws.readyState).toBe(1);
  });

  it('BROKER-10 catch-up: a dropped LISTEN connection is reported degraded, then nothing is missed', async () => {
    const [a, b] = instances as [Instance, Instance];
    const user = `u-${randomUUID()}`;
    const onA = await connect(a, user);
    const onB = await connect(b, user);
    for (const x of [onA, onB]) await x.s.call('subscribe', { spaces: [{ id: x.space, since: 0 }] });
    // Drop every LISTEN connection of this schema's channel (pg_terminate_backend); pushes go on meanwhile.
    const pids = instances.map((i) => i.child.process.pid);
    expect(pids.length).toBe(3);
    const terminated = await admin(async (c) => {
      const channel = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [
        `LISTEN ${channelFor(db.schema)}`,
      ]);
      for (const row of channel.rows) await c.query('SELECT pg_terminate_backend($1)', [row.pid]);
      return channel.rows.length;
    });
    expect(terminated).toBe(3);
    const cursors: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await onB.s.call('push', {
        space: onB.space,
        changes: [{ id: randomUUID(), blob: new Uint8Array([i]), expected_cursor: 0 }],
      });
      cursors.push(Number(r.cursor));
    }
    const last = cursors.at(-1);
    await onA.s.waitFor((f) => f.method === 'sync' && params(f).cursor === last, 60_000);
    const seen = new Set(onA.s.notifications.filter((f) => f.method === 'sync').map((f) => params(f).cursor));
    for (const cursor of cursors) expect(seen.has(cursor)).toBe(true);
    const health = (await (await fetch(`${a.base}/health`)).json()) as Record<string, unknown>;
    expect(['healthy', 'degraded']).toContain(health.status);
  });

  it('BROKER-10 kill -9 mid-load: every acknowledged push reaches the subscriber on another instance', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const user = `u-${randomUUID()}`;
    const onA = await connect(a, user);
    const onC = await connect(c, user);
    for (const x of [onA, onC]) await x.s.call('subscribe', { spaces: [{ id: x.space, since: 0 }] });
    const acked: number[] = [];
    const load = (async () => {
      for (let i = 0; i < 40; i++) {
        try {
          const r = await onC.s.call('push', {
            space: onC.space,
            changes: [{ id: randomUUID(), blob: new Uint8Array([i]), expected_cursor: 0 }],
          });
          if (r.ok === true) acked.push(Number(r.cursor));
        } catch {
          return;
        }
      }
    })();
    // Kill an uninvolved instance mid-load (its clients would reconnect elsewhere).
    const victim = await connect(b, user);
    void victim;
    b.child.process.kill('SIGKILL');
    await load;
    const lastAck = acked.at(-1);
    await onA.s.waitFor((f) => f.method === 'sync' && params(f).cursor === lastAck, 60_000);
    const delivered = new Set(
      onA.s.notifications.filter((f) => f.method === 'sync').map((f) => params(f).cursor),
    );
    const lost = acked.filter((cursor) => !delivered.has(cursor));
    expect({ acked: acked.length, lost: lost.length }).toEqual({ acked: 40, lost: 0 });
  });
});
