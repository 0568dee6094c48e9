import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  overrideStorage,
  type TestClient,
  TestServer,
  type TestSpace,
  type TestUser,
  ucanCid,
} from '../../harness/index.js';
import { pushRecords, settle, snapshot } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const CID = 'a'.repeat(64);

/** owner (admin, straight from the root), member (write, delegated by the owner), peer (write, from the root). */
async function team(): Promise<{
  space: TestSpace;
  owner: TestUser;
  member: TestUser;
  peer: TestUser;
  ownerUcan: string;
  memberUcan: string;
  peerUcan: string;
}> {
  const owner = server.user('owner');
  const member = server.user('member');
  const peer = server.user('peer');
  const space = await server.sharedSpace(owner);
  const ownerUcan = space.grant(owner, '/space/admin');
  const memberUcan = owner.key.issue({
    audience: member.key.did,
    space: space.id,
    cmd: '/space/write',
    proof: ownerUcan,
  });
  const peerUcan = space.grant(peer, '/space/write');
  return { space, owner, member, peer, ownerUcan, memberUcan, peerUcan };
}

async function subscribed(user: TestUser, space: string, ucan: string): Promise<TestClient> {
  const client = await server.connect(user);
  const result = await client.call('subscribe', { spaces: [{ id: space, since: 0, ucan }] });
  expect(result.errors).toBeUndefined();
  return client;
}

describe('membership.revoke (RPC-MEM-3, R10)', () => {
  it('RPC-MEM-3 websocket_membership_revoke_returns_empty_result (stored once, idempotent)', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect(await c.call('membership.revoke', { space: alice.personalSpaceId, ucan_cid: CID })).toEqual({});
    expect(
      await c.call('membership.revoke', { space: alice.personalSpaceId.toUpperCase(), ucan_cid: CID }),
    ).toEqual({});
    expect(await server.query('SELECT space_id, ucan_cid FROM revocations')).toEqual([
      { space_id: alice.personalSpaceId, ucan_cid: CID },
    ]);
  });

  it('RPC-MEM-3 RPC-AUTHZ-1 websocket_membership_revoke_non_personal_without_ucan_returns_forbidden', async () => {
    server = await TestServer.start();
    const { space, peer } = await team();
    const c = await server.connect(peer);
    const before = await snapshot(server);
    for (const params of [
      { space: space.id, ucan_cid: CID },
      { space: randomUUID(), ucan_cid: CID },
    ]) {
      expect((await c.request('membership.revoke', params)).error).toEqual({
        code: 'forbidden',
        message: 'forbidden',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('R10 membership.revoke needs Admin: a Write UCAN is forbidden, an Admin one (or a delegated one) works', async () => {
    server = await TestServer.start();
    const { space, owner, peer, ownerUcan, peerUcan } = await team();
    const cp = await server.connect(peer);
    const before = await snapshot(server);
    const refused = await cp.request('membership.revoke', {
      space: space.id,
      ucan: peerUcan,
      ucan_cid: ucanCid(ownerUcan),
    });
    expect(refused.error).toEqual({ code: 'forbidden', message: 'forbidden' });
    expect(await snapshot(server)).toEqual(before);
    const co = await server.connect(owner);
    expect(
      await co.call('membership.revoke', { space: space.id, ucan: ownerUcan, ucan_cid: ucanCid(peerUcan) }),
    ).toEqual({});
    // An admin delegated by an admin may revoke too.
    const deputy = server.user('deputy');
    const deputyUcan = owner.key.issue({
      audience: deputy.key.did,
      space: space.id,
      cmd: '/space/admin',
      proof: ownerUcan,
    });
    const cd = await server.connect(deputy);
    expect(await cd.call('membership.revoke', { space: space.id, ucan: deputyUcan, ucan_cid: CID })).toEqual(
      {},
    );
    expect(await server.query('SELECT ucan_cid FROM revocations ORDER BY ucan_cid')).toEqual(
      [{ ucan_cid: ucanCid(peerUcan) }, { ucan_cid: CID }].sort((a, b) =>
        a.ucan_cid.localeCompare(b.ucan_cid),
      ),
    );
    // The revoked UCAN is refused from now on.
    const after = await cp.request('membership.list', { space: space.id, ucan: peerUcan });
    expect(after.error?.code).toBe('forbidden');
  });

  it('RPC-MEM-3 websocket_membership_revoke_storage_failure_returns_internal_error', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage({
        revokeUcan: () => Promise.reject(new Error('storage unavailable')),
      }),
    });
    const alice = server.user('alice');
    const watcher = await server.connect(alice);
    await watcher.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    const c = await server.connect(alice);
    const reply = await c.request('membership.revoke', { space: alice.personalSpaceId, ucan_cid: CID });
    expect(reply.error).toEqual({ code: 'internal', message: 'internal' });
    // Nothing was revoked, so nobody is told.
    await watcher.expectNoNotification('revoked', 200);
  });

  it('RPC-MEM-3 websocket_membership_revoke_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    for (const params of [
      'not-a-map',
      undefined,
      {},
      { space: alice.personalSpaceId },
      { ucan_cid: CID },
      { space: alice.personalSpaceId, ucan_cid: 5 },
      { space: alice.personalSpaceId, ucan_cid: null },
      { space: alice.personalSpaceId, ucan_cid: CID, ucan: Uint8Array.of(1) },
    ]) {
      expect((await c.request('membership.revoke', params)).error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid membership revoke params',
      });
    }
    expect(await server.query('SELECT * FROM revocations')).toEqual([]);
  });

  it('RPC-MEM-3 websocket_membership_revoke_invalid_space_id_returns_bad_request; an empty CID is checked first', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user('alice'));
    expect((await c.request('membership.revoke', { space: 'not-a-uuid', ucan_cid: CID })).error).toEqual({
      code: 'bad_request',
      message: 'invalid space id',
    });
    expect((await c.request('membership.revoke', { space: 'not-a-uuid', ucan_cid: '' })).error).toEqual({
      code: 'bad_request',
      message: 'invalid ucan cid',
    });
    expect(await server.query('SELECT * FROM spaces')).toEqual([]);
  });
});

describe('revocation ends live subscriptions (R8) and is broadcast (RPC-MEM-4)', () => {
  it('R8 RPC-MEM-4 the revoked member is told `revoked` and stops receiving at once; others are told and keep receiving', async () => {
    server = await TestServer.start();
    const { space, owner, member, peer, ownerUcan, memberUcan, peerUcan } = await team();
    const co = await subscribed(owner, space.id, ownerUcan);
    const cm = await subscribed(member, space.id, memberUcan);
    const cp = await subscribed(peer, space.id, peerUcan);
    cm.notify('presence.set', { space: space.id, data: Uint8Array.of(1) });
    const memberPeer = (await cp.nextNotification('presence')).params.peer;
    await co.nextNotification('presence');

    expect(
      await co.call('membership.revoke', { space: space.id, ucan: ownerUcan, ucan_cid: ucanCid(memberUcan) }),
    ).toEqual({});
    expect((await cm.nextNotification('revoked')).params).toEqual({
      space: space.id,
      reason: 'ucan_revoked',
    });
    expect((await cp.nextNotification('revoked')).params).toEqual({
      space: space.id,
      reason: 'ucan_revoked',
    });
    // The member's presence went with its subscription.
    expect((await cp.nextNotification('presence.leave')).params).toEqual({
      space: space.id,
      peer: memberPeer,
    });
    // The revoker is not told about its own revocation.
    await co.expectNoNotification('revoked', 100);

    await pushRecords(co, space.id, 1, 1, ownerUcan);
    await cp.nextNotification('sync');
    await settle();
    await cm.expectNoNotification('sync', 100);
    expect(cm.notifications.filter((n) => n.method === 'revoked')).toHaveLength(0);
    // Presence and events from the ended subscription are no longer accepted.
    cm.notify('event.send', { space: space.id, data: Uint8Array.of(9) });
    await cp.expectNoNotification('event', 200);
    // Re-subscribing with the revoked UCAN is refused; the connection itself stays open.
    const again = await cm.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: memberUcan }] });
    expect(again.errors).toEqual([{ space: space.id, error: 'forbidden' }]);
    expect(cm.isOpen).toBe(true);
  });

  it('R8 revoking a proof ends every subscription whose chain contains it', async () => {
    server = await TestServer.start();
    const { space, owner, member, peer, ownerUcan, memberUcan, peerUcan } = await team();
    const admin2 = server.user('admin2');
    const admin2Ucan = space.grant(admin2, '/space/admin');
    const ca = await server.connect(admin2);
    const co = await subscribed(owner, space.id, ownerUcan);
    const cm = await subscribed(member, space.id, memberUcan);
    const cp = await subscribed(peer, space.id, peerUcan);
    // The owner's UCAN is the member's proof: revoking it ends both the owner's and the member's subscriptions.
    await ca.call('membership.revoke', { space: space.id, ucan: admin2Ucan, ucan_cid: ucanCid(ownerUcan) });
    await co.nextNotification('revoked');
    await cm.nextNotification('revoked');
    await cp.nextNotification('revoked');
    await pushRecords(cp, space.id, 1, 1, peerUcan);
    await settle();
    await co.expectNoNotification('sync', 50);
    await cm.expectNoNotification('sync', 50);
    // The chain is refused from now on: a pull skips the space (RPC-PULL-2).
    const pull = await cm.request('pull', { spaces: [{ id: space.id, since: 0, ucan: memberUcan }] });
    expect(pull.chunks).toEqual([]);
  });

  it('R8 a revocation that matches no live subscription only broadcasts', async () => {
    server = await TestServer.start();
    const { space, owner, peer, ownerUcan, peerUcan } = await team();
    const co = await server.connect(owner);
    const cp = await subscribed(peer, space.id, peerUcan);
    await co.call('membership.revoke', { space: space.id, ucan: ownerUcan, ucan_cid: CID });
    expect((await cp.nextNotification('revoked')).params).toEqual({
      space: space.id,
      reason: 'ucan_revoked',
    });
    await pushRecords(co, space.id, 1, 1, ownerUcan);
    await cp.nextNotification('sync');
  });

  it('R8 ending subscriptions failing never fails the stored revocation', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const sessions = server.services.sessions as unknown as { revoke: () => Promise<number> };
    sessions.revoke = () => Promise.reject(new Error('registry broken'));
    expect(await c.call('membership.revoke', { space: alice.personalSpaceId, ucan_cid: CID })).toEqual({});
    expect(await server.query('SELECT ucan_cid FROM revocations')).toEqual([{ ucan_cid: CID }]);
    expect(server.logged('ending revoked subscriptions failed')).toBeDefined();
  });
});
