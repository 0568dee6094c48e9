import { randomUUID } from 'node:crypto';
import type { FederationQuotaLimits } from '@less-sync/api';
import { migrate, type SqlExecutor } from '@less-sync/storage';
import { createTestDatabase, type TestDatabase, testExecutor } from '@less-sync/storage/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterState, PostgresFederationQuota } from '../../src/cluster/index.js';

const LIMITS: FederationQuotaLimits = {
  maxConnections: 3,
  maxSpaces: 5,
  maxRecordsPerHour: 10,
  maxBytesPerHour: 100,
  maxInvitationsPerHour: 3,
};
const HOUR = 3_600_000;
const PEER = 'peer.example';
const TIMINGS = { heartbeatMs: 5_000, deadAfterMs: 15_000 };

interface Instance {
  readonly id: string;
  readonly db: SqlExecutor;
  readonly state: ClusterState;
  readonly quota: PostgresFederationQuota;
}

/**
 * CLUSTER-07: two quota instances on one schema, each on its own pool, act as two server instances of
 * one service. The hourly windows run on a shared test clock.
 */
describe('CLUSTER-07 federation quotas per service', () => {
  let database: TestDatabase;
  let a: Instance;
  let b: Instance;
  let clock: number;

  async function instance(): Promise<Instance> {
    const db = testExecutor(database);
    const id = randomUUID();
    const state = new ClusterState(db, id, TIMINGS);
    await state.heartbeat();
    const quota = new PostgresFederationQuota(db, LIMITS, {
      instanceId: id,
      timings: TIMINGS,
      now: () => clock,
    });
    return { id, db, state, quota };
  }

  beforeEach(async () => {
    database = await createTestDatabase();
    clock = Date.parse('2026-01-01T10:00:00Z');
    const setup = testExecutor(database);
    await migrate(setup);
    await setup.close();
    a = await instance();
    b = await instance();
  });

  afterEach(async () => {
    await a.db.close();
    await b.db.close();
    await database.drop();
  });

  it('FED-QUOTA-02 CLUSTER-07 the connection cap counts sockets on every instance; release saturates', async () => {
    expect(await a.quota.tryAddConnection(PEER)).toBe(true);
    expect(await a.quota.tryAddConnection(PEER)).toBe(true);
    expect(await b.quota.tryAddConnection(PEER)).toBe(true);
    expect(await b.quota.tryAddConnection(PEER)).toBe(false);
    expect(await a.quota.tryAddConnection(PEER)).toBe(false);
    expect((await b.quota.peerStatus(PEER)).connections).toBe(3);
    // Another peer has its own budget.
    expect(await b.quota.tryAddConnection('other.example')).toBe(true);

    await a.quota.removeConnection(PEER);
    expect(await b.quota.tryAddConnection(PEER)).toBe(true);
    expect((await a.quota.peerStatus(PEER)).connections).toBe(3);
    // A's release never goes below zero and never takes B's sockets.
    for (let i = 0; i < 5; i++) await a.quota.removeConnection(PEER);
    expect((await a.quota.peerStatus(PEER)).connections).toBe(2);
    expect(await a.quota.tryAddConnection(PEER)).toBe(true);
    expect(await a.quota.tryAddConnection(PEER)).toBe(false);
  });

  it('FED-QUOTA-03 CLUSTER-07 spaces are all-or-nothing across instances; n=0 fits; release saturates', async () => {
    expect(await a.quota.tryAddSpaces(PEER, 3)).toBe(true);
    expect(await b.quota.tryAddSpaces(PEER, 3)).toBe(false);
    expect((await b.quota.peerStatus(PEER)).spaces).toBe(3);
    expect(await b.quota.tryAddSpaces(PEER, 2)).toBe(true);
    expect(await a.quota.tryAddSpaces(PEER, 1)).toBe(false);
    expect(await a.quota.tryAddSpaces(PEER, 0)).toBe(true);
    expect(await b.quota.tryAddSpaces('fresh.example', 0)).toBe(true);
    expect((await a.quota.allPeerStatus()).map((p) => p.domain)).toEqual([PEER]);

    await b.quota.removeSpaces(PEER, 10);
    await b.quota.removeSpaces(PEER, 0);
    expect((await a.quota.peerStatus(PEER)).spaces).toBe(3);
    expect(await b.quota.tryAddSpaces(PEER, 2)).toBe(true);
    expect(await b.quota.tryAddSpaces(PEER, 1)).toBe(false);
  });

  it('FED-QUOTA-04 CLUSTER-07 records and bytes share one hourly window; refusals add nothing; refunds stop at zero', async () => {
    expect(await a.quota.tryReservePush(PEER, 6, 50)).toBeUndefined();
    expect(await b.quota.tryReservePush(PEER, 5, 10)).toBe('records');
    expect(await b.quota.tryReservePush(PEER, 4, 60)).toBe('bytes');
    expect(await b.quota.tryReservePush(PEER, 5, 60)).toBe('records');
    let status = await a.quota.peerStatus(PEER);
    expect([status.records_this_hour, status.bytes_this_hour]).toEqual([6, 50]);
    expect(await b.quota.tryReservePush(PEER, 4, 50)).toBeUndefined();
    expect(await a.quota.tryReservePush(PEER, 0, 1)).toBe('bytes');
    expect(await a.quota.tryReservePush(PEER, 0, 0)).toBeUndefined();

    // B14: a refund on either instance gives back to the shared window, never below zero.
    await a.quota.refundPush(PEER, 4, 50);
    status = await b.quota.peerStatus(PEER);
    expect([status.records_this_hour, status.bytes_this_hour]).toEqual([6, 50]);
    await b.quota.refundPush(PEER, 100, 1_000);
    await b.quota.refundPush('unknown.example', 1, 1);
    status = await a.quota.peerStatus(PEER);
    expect([status.records_this_hour, status.bytes_this_hour]).toEqual([0, 0]);
    expect((await a.quota.allPeerStatus()).map((p) => p.domain)).toEqual([PEER]);
  });

  it('FED-QUOTA-04 CLUSTER-07 the window tumbles lazily an hour after it started, for every instance', async () => {
    expect(await a.quota.tryReservePush(PEER, 10, 100)).toBeUndefined();
    clock += HOUR - 1;
    expect(await b.quota.tryReservePush(PEER, 1, 0)).toBe('records');
    expect(await b.quota.tryReservePush(PEER, 0, 1)).toBe('bytes');
    clock += 1;
    expect(await b.quota.tryReservePush(PEER, 4, 40)).toBeUndefined();
    // The new window started at the roll: a refusal later in it still sees its count.
    clock += HOUR - 1;
    expect(await a.quota.tryReservePush(PEER, 7, 0)).toBe('records');
    const status = await a.quota.peerStatus(PEER);
    expect([status.records_this_hour, status.bytes_this_hour]).toEqual([4, 40]);
    clock += 1;
    const rolled = await b.quota.peerStatus(PEER);
    expect([rolled.records_this_hour, rolled.bytes_this_hour]).toEqual([0, 0]);
  });

  it('FED-QUOTA-05 CLUSTER-07 the invitation budget is shared and hourly', async () => {
    expect(await a.quota.tryAddInvitation(PEER)).toBe(true);
    expect(await b.quota.tryAddInvitation(PEER)).toBe(true);
    expect(await a.quota.tryAddInvitation(PEER)).toBe(true);
    expect(await b.quota.tryAddInvitation(PEER)).toBe(false);
    expect((await a.quota.peerStatus(PEER)).invitations_this_hour).toBe(3);
    // Pushes and invitations have separate windows.
    expect(await b.quota.tryReservePush(PEER, 10, 100)).toBeUndefined();
    clock += HOUR;
    expect(await b.quota.tryAddInvitation(PEER)).toBe(true);
    expect((await a.quota.peerStatus(PEER)).invitations_this_hour).toBe(1);
  });

  it('FED-QUOTA-06 CLUSTER-07 status snapshots: entry-creating, sorted, the same from every instance', async () => {
    expect(await a.quota.allPeerStatus()).toEqual([]);
    await a.quota.removeConnection(PEER);
    await a.quota.removeSpaces(PEER, 2);
    expect(await b.quota.allPeerStatus()).toEqual([]);
    const zero = {
      connections: 0,
      spaces: 0,
      records_this_hour: 0,
      bytes_this_hour: 0,
      invitations_this_hour: 0,
    };
    expect(await b.quota.peerStatus('z.example')).toEqual({ domain: 'z.example', ...zero });
    await a.quota.tryAddConnection(PEER);
    await b.quota.tryAddConnection(PEER);
    await b.quota.tryAddSpaces(PEER, 2);
    await a.quota.tryReservePush(PEER, 2, 20);
    await b.quota.tryAddInvitation(PEER);
    const expected = [
      {
        domain: PEER,
        connections: 2,
        spaces: 2,
        records_this_hour: 2,
        bytes_this_hour: 20,
        invitations_this_hour: 1,
      },
      { domain: 'z.example', ...zero },
    ];
    expect(await a.quota.allPeerStatus()).toEqual(expected);
    expect(await b.quota.allPeerStatus()).toEqual(expected);
    expect(a.quota.limits).toBe(LIMITS);
  });

  it('CLUSTER-07 a dead instance stops counting within the liveness window and its rows go when reaped', async () => {
    expect(await b.quota.tryAddConnection(PEER)).toBe(true);
    expect(await b.quota.tryAddConnection(PEER)).toBe(true);
    expect(await b.quota.tryAddSpaces(PEER, 4)).toBe(true);
    expect(await a.quota.tryAddConnection(PEER)).toBe(true);
    expect(await a.quota.tryAddConnection(PEER)).toBe(false);
    expect(await a.quota.tryAddSpaces(PEER, 2)).toBe(false);

    // B stops heartbeating: once its last heartbeat is older than CLUSTER_DEAD_AFTER_MS it no longer counts.
    await a.db.query(
      `UPDATE cluster_instances SET heartbeat_at = now() - make_interval(secs => $2::double precision / 1000)
       WHERE instance_id = $1`,
      [b.id, TIMINGS.deadAfterMs + 1_000],
    );
    const status = await a.quota.peerStatus(PEER);
    expect([status.connections, status.spaces]).toEqual([1, 0]);
    expect(await a.quota.tryAddConnection(PEER)).toBe(true);
    expect(await a.quota.tryAddSpaces(PEER, 5)).toBe(true);

    expect(await a.state.reapDead()).toEqual([b.id]);
    const { rows } = await a.db.query<{ instance_id: string }>(
      'SELECT DISTINCT instance_id FROM cluster_federation_peers',
    );
    expect(rows).toEqual([{ instance_id: a.id }]);
  });

  it('CLUSTER-07 an instance that left (or was reaped) counts again from its next socket', async () => {
    expect(await b.quota.tryAddConnection(PEER)).toBe(true);
    await b.state.leave();
    expect((await a.quota.peerStatus(PEER)).connections).toBe(0);
    expect(await b.quota.tryAddConnection(PEER)).toBe(true);
    expect((await a.quota.peerStatus(PEER)).connections).toBe(1);
    await b.quota.removeConnection(PEER);
    expect((await a.quota.peerStatus(PEER)).connections).toBe(0);
  });

  it('FED-QUOTA-02..05 CLUSTER-07 many parallel callers on both instances never exceed a limit', async () => {
    const both = (n: number, call: (q: PostgresFederationQuota) => Promise<unknown>) =>
      Promise.all(Array.from({ length: n }, (_, i) => call((i % 2 === 0 ? a : b).quota)));

    const connections = await both(24, (q) => q.tryAddConnection(PEER));
    expect(connections.filter((ok) => ok === true)).toHaveLength(3);
    const spaces = await both(24, (q) => q.tryAddSpaces(PEER, 2));
    expect(spaces.filter((ok) => ok === true)).toHaveLength(2);
    const pushes = await both(24, (q) => q.tryReservePush(PEER, 1, 7));
    expect(pushes.filter((kind) => kind === undefined)).toHaveLength(10);
    expect(pushes.filter((kind) => kind === 'records')).toHaveLength(14);
    const invitations = await both(24, (q) => q.tryAddInvitation(PEER));
    expect(invitations.filter((ok) => ok === true)).toHaveLength(3);

    expect(await a.quota.peerStatus(PEER)).toEqual({
      domain: PEER,
      connections: 3,
      spaces: 4,
      records_this_hour: 10,
      bytes_this_hour: 70,
      invitations_this_hour: 3,
    });
  });
});
