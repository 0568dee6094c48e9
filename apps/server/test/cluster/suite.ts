/**
 * Many instances, one service: the same scenarios for every cross-instance transport (PostgreSQL
 * LISTEN/NOTIFY, Redis Streams, NATS JetStream). Three real server processes on one database schema,
 * clients on different instances.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeUcanCid as ucanCid } from '@less-sync/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  BASE_URL,
  postgresReachable as postgresReachableOf,
  requireService as requireServiceOf,
} from '../database.js';
import { DeviceKey } from '../ucan.js';
import {
  buildServer,
  type Frame,
  type Instance,
  params,
  type Session,
  session,
  startInstance,
  stopInstance,
} from './support.js';

/** How one transport is set up, cut off (every instance loses it) and given back. */
export interface TransportCase {
  readonly name: 'postgres' | 'redis' | 'nats';
  /** Extra environment for every instance (BROKER_URL …). */
  env(): Promise<Record<string, string>>;
  /** Cut every instance off the transport until `restore` (PostgreSQL: the LISTEN connections drop). */
  cut(schema: string): Promise<void>;
  restore(): Promise<void>;
  /** Stop and remove what the suite left in the broker. */
  close(schema: string): Promise<void>;
}

/** Redis or NATS (or PostgreSQL) answers, or the cluster suite is skipped (outside CI) or fails (in CI). */
export const requireService = (what: string, url: string, probe: () => Promise<boolean>) =>
  requireServiceOf('cluster', what, url, probe);

export const postgresReachable = (): Promise<boolean> => postgresReachableOf('cluster');

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const syncs = (s: Session) => s.notifications.filter((f) => f.method === 'sync');

export function clusterSuite(transport: TransportCase, reachable: boolean): void {
  const schema = `cluster_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const instances: Instance[] = [];
  const sessions: Session[] = [];
  let files = '';

  function databaseUrl(): string {
    const url = new URL(BASE_URL);
    url.searchParams.set('options', `-csearch_path=${schema}`);
    return url.toString();
  }

  async function connect(instance: Instance, user: string, did?: string) {
    const t = await instance.token(user, did);
    const s = await session(instance.wsUrl, t.token);
    sessions.push(s);
    return { s, ...t };
  }

  async function subscribed(instance: Instance, user: string) {
    const c = await connect(instance, user);
    await c.s.call('subscribe', { spaces: [{ id: c.space, since: 0 }] });
    return c;
  }

  async function push(s: Session, space: string, blob: Uint8Array = new Uint8Array([1])): Promise<number> {
    const r = await s.call('push', { space, changes: [{ id: randomUUID(), blob, expected_cursor: 0 }] });
    expect(r.ok).toBe(true);
    return Number(r.cursor);
  }

  describe.skipIf(!reachable)(`cluster over ${transport.name}`, () => {
    beforeAll(async () => {
      buildServer();
      files = await mkdtemp(join(tmpdir(), 'less-sync-cluster-'));
      await admin((c) => c.query(`CREATE SCHEMA "${schema}"`));
      console.log(`backend=postgres transport=${transport.name} (cluster suite)`);
      const env = {
        DATABASE_URL: databaseUrl(),
        CLUSTER_HEARTBEAT_MS: '300',
        CLUSTER_DEAD_AFTER_MS: '1500',
        // One directory for every instance, as a shared volume or S3 would be.
        FILE_STORAGE_BACKEND: 'local',
        FILE_STORAGE_PATH: files,
        ...(await transport.env()),
      };
      // The first start creates the schema; the others join it.
      instances.push(await startInstance(env));
      instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
    }, 300_000);

    afterAll(async () => {
      for (const s of sessions) s.close();
      await Promise.all(instances.map((i) => stopInstance(i)));
      await transport.close(schema);
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      if (files !== '') await rm(files, { recursive: true, force: true });
    });

    it('BROKER-10 RPC-PUSH-3 a push on one instance reaches subscribers on the two others', async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const user = `u-${randomUUID()}`;
      const onA = await subscribed(a, user);
      const onB = await subscribed(b, user);
      const onC = await subscribed(c, user);
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
      expect(syncs(onB.s)).toHaveLength(0);
    });

    it('BROKER-10 a push too large to carry in a hint is read back by cursor on the other instance', async () => {
      const [a, b] = instances as [Instance, Instance];
      const user = `u-${randomUUID()}`;
      const onA = await subscribed(a, user);
      const onB = await subscribed(b, user);
      const blob = new Uint8Array(64 * 1024).fill(7);
      const cursor = await push(onB.s, onB.space, blob);
      const sync = await onA.s.waitFor((f) => f.method === 'sync');
      expect(params(sync).cursor).toBe(cursor);
      const rec = (params(sync).records as Array<Record<string, unknown>>)[0];
      expect((rec as Record<string, unknown>).blob).toHaveLength(blob.byteLength);
    });

    it('PROTO-13 membership and file notifications cross instances', async () => {
      const [a, b] = instances as [Instance, Instance];
      const user = `u-${randomUUID()}`;
      const onA = await subscribed(a, user);
      const onB = await subscribed(b, user);
      const payload = new Uint8Array([4, 2]);
      await onB.s.call('membership.append', {
        space: onB.space,
        expected_version: 0,
        entry_hash: sha256(payload),
        payload,
      });
      const membership = await onA.s.waitFor((f) => f.method === 'membership');
      expect(params(membership).space).toBe(onB.space);
      expect((params(membership).entries as Frame[])[0]?.payload).toEqual(payload);
      const record = randomUUID();
      const dek = Buffer.alloc(44, 3);
      const pushed = await onB.s.call('push', {
        space: onB.space,
        changes: [{ id: record, blob: new Uint8Array([7]), expected_cursor: 0, dek }],
      });
      expect(pushed.ok).toBe(true);
      const file = randomUUID();
      const put = await fetch(`${b.base}/api/v1/spaces/${onB.space}/files/${file}`, {
        method: 'PUT',
        headers: {
          Authorization: `Bearer ${onB.token}`,
          'X-Record-ID': record,
          'X-Wrapped-DEK': dek.toString('base64'),
        },
        body: Buffer.from('file bytes'),
      });
      expect(put.status).toBe(201);
      const fileNote = await onA.s.waitFor((f) => f.method === 'file');
      expect((params(fileNote).files as Frame[])[0]).toMatchObject({ id: file, record_id: record });
    });

    it('R8 RPC-MEM-3 a revocation on one instance ends the member subscription on another', async () => {
      const [a, b] = instances as [Instance, Instance];
      const root = new DeviceKey();
      const ownerKey = new DeviceKey();
      const memberKey = new DeviceKey();
      const owner = await connect(b, `owner-${randomUUID()}`, ownerKey.did);
      const space = randomUUID();
      await owner.s.call('space.create', { id: space, root_public_key: root.publicKey });
      const ownerUcan = root.issue(ownerKey.did, space, '/space/admin');
      const memberUcan = root.issue(memberKey.did, space, '/space/write');
      const member = await connect(a, `member-${randomUUID()}`, memberKey.did);
      const sub = await member.s.call('subscribe', { spaces: [{ id: space, since: 0, ucan: memberUcan }] });
      expect(sub.errors).toBeUndefined();
      // The member hears the owner's change through the other instance, then loses the space.
      await owner.s.call('push', {
        space,
        ucan: ownerUcan,
        changes: [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }],
      });
      await member.s.waitFor((f) => f.method === 'sync' && params(f).space === space);
      await owner.s.call('membership.revoke', { space, ucan: ownerUcan, ucan_cid: ucanCid(memberUcan) });
      const revoked = await member.s.waitFor((f) => f.method === 'revoked');
      expect(params(revoked)).toEqual({ space, reason: 'ucan_revoked' });
      await owner.s.call('push', {
        space,
        ucan: ownerUcan,
        changes: [{ id: randomUUID(), blob: new Uint8Array([2]), expected_cursor: 0 }],
      });
      // Another instance's push after the revocation: the member gets nothing more for that space.
      const later = await connect(a, `owner-${randomUUID()}`, ownerKey.did);
      await later.s.call('push', {
        space,
        ucan: ownerUcan,
        changes: [{ id: randomUUID(), blob: new Uint8Array([3]), expected_cursor: 0 }],
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(
        member.s.notifications.filter((f) => f.method === 'sync' && params(f).space === space),
      ).toHaveLength(1);
    });

    it('PRESENCE-1 PRESENCE-3 EVENT-1 presence, events and presence.leave cross instances with one pseudonym', async () => {
      const [a, b] = instances as [Instance, Instance];
      const user = `u-${randomUUID()}`;
      const onA = await subscribed(a, user);
      const onB = await subscribed(b, user);
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

    it('RPC-INV-1 an invitation for a mailbox reaches its owner on another instance', async () => {
      const [a, b] = instances as [Instance, Instance];
      const bob = await connect(a, `bob-${randomUUID()}`);
      const alice = await connect(b, `alice-${randomUUID()}`);
      await alice.s.call('invitation.create', { mailbox_id: bob.mailbox, payload: 'hi bob' });
      // Sent after the 1–5 s anti-correlation delay, by whichever instance holds the recipient.
      const note = await bob.s.waitFor((f) => f.method === 'invitation', 15_000);
      expect(note.params).toEqual({});
    });

    it('BROKER-04 the per-mailbox connection cap counts connections on every instance', async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const user = `u-${randomUUID()}`;
      // A reply proves the connection authenticated, so its slot is taken before the fourth one tries.
      const first = await subscribed(a, user);
      await subscribed(b, user);
      await subscribed(c, user);
      const fourth = await connect(a, user);
      expect(await fourth.s.closed).toBe(4003);
      // A freed slot on one instance admits a connection on another.
      first.s.close();
      await first.s.closed;
      const again = await subscribed(c, user);
      expect(again.s.ws.readyState).toBe(1);
    });

    it(`BROKER-10 ${transport.name} cut off: degraded on /health, local delivery goes on, nothing missed after`, async () => {
      const [a, b] = instances as [Instance, Instance];
      const user = `u-${randomUUID()}`;
      const onA = await subscribed(a, user);
      const onB = await subscribed(b, user);
      await transport.cut(schema);
      const cursors: number[] = [];
      for (let i = 0; i < 5; i++) cursors.push(await push(onB.s, onB.space, new Uint8Array([i])));
      if (transport.name !== 'postgres') {
        // The broker stays away until restored: the instance says so, and its own clients still hear each
        // other (another user, so the check does not overtake the catch-up below).
        const health = (await (await fetch(`${a.base}/health`)).json()) as Record<string, unknown>;
        expect(health).toMatchObject({ status: 'degraded', broker: { transport: transport.name } });
        const ready = (await (await fetch(`${a.base}/readyz`)).json()) as { checks: Record<string, string> };
        expect(ready.checks.broker).toMatch(/^degraded/);
        const local = `u-${randomUUID()}`;
        const one = await subscribed(a, local);
        const two = await subscribed(a, local);
        const cursor = await push(one.s, one.space);
        await two.s.waitFor((f) => f.method === 'sync' && params(f).cursor === cursor);
      }
      await transport.restore();
      // Every change, whichever way it comes (the retried hint or the catch-up read), within the bound.
      for (const cursor of cursors) {
        await onA.s.waitFor((f) => f.method === 'sync' && params(f).cursor === cursor, 60_000);
      }
      const seen = new Set(syncs(onA.s).map((f) => params(f).cursor));
      expect(cursors.filter((cursor) => !seen.has(cursor))).toEqual([]);
      await waitHealthy(a);
    });

    it('BROKER-10 kill -9 mid-load: every acknowledged push reaches the subscriber on another instance', async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const user = `u-${randomUUID()}`;
      const onA = await subscribed(a, user);
      const onC = await subscribed(c, user);
      const victimUser = `v-${randomUUID()}`;
      const victim = await connect(b, victimUser);
      const acked: number[] = [];
      const load = (async () => {
        for (let i = 0; i < 40; i++) {
          const r = await onC.s.call('push', {
            space: onC.space,
            changes: [{ id: randomUUID(), blob: new Uint8Array([i]), expected_cursor: 0 }],
          });
          if (r.ok === true) acked.push(Number(r.cursor));
          if (i === 10) b.child.process.kill('SIGKILL');
        }
      })();
      await load;
      // The killed instance's client is cut off and resumes on another instance.
      await victim.s.closed;
      const moved = await connect(c, victimUser);
      await moved.s.call('subscribe', { spaces: [{ id: moved.space, since: 0 }] });
      const lastAck = acked.at(-1);
      await onA.s.waitFor((f) => f.method === 'sync' && params(f).cursor === lastAck, 60_000);
      const delivered = new Set(syncs(onA.s).map((f) => params(f).cursor));
      const lost = acked.filter((cursor) => !delivered.has(cursor));
      expect({ acked: acked.length, lost: lost.length }).toEqual({ acked: 40, lost: 0 });
    });
  });
}

async function waitHealthy(instance: Instance): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const health = (await (await fetch(`${instance.base}/health`)).json()) as Frame;
    if (health.status === 'healthy' || Date.now() > deadline) {
      expect(health.status).toBe('healthy');
      return health;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { admin, BASE_URL };
