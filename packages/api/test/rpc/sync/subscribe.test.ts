import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TestServer, ucanCid } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const blob = (n: number): Uint8Array => new Uint8Array([n]);

describe('subscribe (RPC-SUB-*)', () => {
  it('RPC-SUB-1 RPC-AUTHZ-1 websocket_subscribe_returns_space_metadata: the personal space is created on first use', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const result = await c.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    expect(result).toEqual({ spaces: [{ id: alice.personalSpaceId, cursor: 0, key_generation: 1 }] });
    const rows = await server.query<{ client_id: string; root_public_key: unknown }>(
      'SELECT client_id, root_public_key FROM spaces WHERE id = $1',
      [alice.personalSpaceId],
    );
    expect(rows).toEqual([{ client_id: alice.clientId, root_public_key: null }]);
  });

  it('RPC-SUB-1 websocket_subscribe_rejects_too_many_spaces (1001 > 1000) before touching storage', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const spaces = Array.from({ length: 1001 }, () => ({ id: randomUUID(), since: 0 }));
    const reply = await c.request('subscribe', { spaces });
    expect(reply.error).toEqual({ code: 'bad_request', message: 'too many spaces in subscribe request' });
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('RPC-SUB-1 the space cap is configurable and inclusive', async () => {
    server = await TestServer.start({ config: { maxSubscribeSpaces: 2 } });
    const alice = server.user();
    const c = await server.connect(alice);
    const two = await c.request('subscribe', {
      spaces: [
        { id: alice.personalSpaceId, since: 0 },
        { id: alice.personalSpaceId, since: 0 },
      ],
    });
    // A repeated space gives repeated entries.
    expect(two.result?.spaces).toHaveLength(2);
    const three = await c.request('subscribe', {
      spaces: Array.from({ length: 3 }, () => ({ id: alice.personalSpaceId, since: 0 })),
    });
    expect(three.error?.code).toBe('bad_request');
  });

  it('RPC-SUB-1 websocket_subscribe_invalid_space_id_is_reported_in_result_errors', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const result = await c.call('subscribe', {
      spaces: [
        { id: 'not-a-uuid', since: 0 },
        { id: alice.personalSpaceId, since: 0 },
      ],
    });
    expect(result.errors).toEqual([{ space: 'not-a-uuid', error: 'bad_request' }]);
    expect(result.spaces).toEqual([{ id: alice.personalSpaceId, cursor: 0, key_generation: 1 }]);
  });

  it('RPC-SUB-1 RPC-AUTHZ-1 websocket_subscribe_non_personal_space_without_ucan_reports_forbidden', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const alice = server.user('alice');
    const shared = await server.sharedSpace(owner);
    const unknown = randomUUID();
    // Someone else's personal space has no root key: forbidden too.
    const c0 = await server.connect(owner);
    await c0.call('subscribe', { spaces: [{ id: owner.personalSpaceId, since: 0 }] });
    const c = await server.connect(alice);
    const result = await c.call('subscribe', {
      spaces: [
        { id: shared.id, since: 0 },
        { id: unknown, since: 0, ucan: shared.grant(alice) },
        { id: owner.personalSpaceId, since: 0, ucan: shared.grant(alice) },
      ],
    });
    expect(result).toEqual({
      spaces: [],
      errors: [
        { space: shared.id, error: 'forbidden' },
        { space: unknown, error: 'forbidden' },
        { space: owner.personalSpaceId, error: 'forbidden' },
      ],
    });
    // Nothing was created for the unknown space.
    expect(await server.query('SELECT id FROM spaces WHERE id = $1', [unknown])).toEqual([]);
  });

  it('RPC-SUB-1 WS-FRAME-4 websocket_subscribe_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const bad: unknown[] = [
      undefined,
      null,
      'spaces',
      {},
      { spaces: 'x' },
      { spaces: [{ id: alice.personalSpaceId }] },
      { spaces: [{ id: 7, since: 0 }] },
      { spaces: [{ id: alice.personalSpaceId, since: '0' }] },
      { spaces: [{ id: alice.personalSpaceId, since: 0, presence: 'yes' }] },
    ];
    for (const params of bad) {
      const reply = await c.request('subscribe', params);
      expect(reply.error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid subscribe params',
      });
    }
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('RPC-SUB-1 websocket_subscribe_empty_space_list_returns_empty_result', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const reply = await c.request('subscribe', { spaces: [] });
    expect(reply.result).toEqual({ spaces: [] });
  });

  it('RPC-SUB-1 reports rewrap_epoch and the real key generation of the space', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace(alice);
    await server.query('UPDATE spaces SET key_generation = 4, rewrap_epoch = 4, cursor = 9 WHERE id = $1', [
      shared.id,
    ]);
    const c = await server.connect(alice);
    const result = await c.call('subscribe', {
      spaces: [{ id: shared.id, since: 0, ucan: shared.grant(alice, '/space/read') }],
    });
    expect(result.spaces).toEqual([{ id: shared.id, cursor: 9, key_generation: 4, rewrap_epoch: 4 }]);
  });
});

describe('subscribe with UCANs (RPC-AUTHZ-2, RPC-AUTHZ-3)', () => {
  it('RPC-AUTHZ-2 websocket_subscribe_shared_space_with_valid_ucan_returns_space_metadata', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace();
    const c = await server.connect(alice);
    const result = await c.call('subscribe', {
      spaces: [{ id: shared.id, since: 0, ucan: shared.grant(alice, '/space/read') }],
    });
    expect(result).toEqual({ spaces: [{ id: shared.id, cursor: 0, key_generation: 1 }] });
  });

  it('RPC-AUTHZ-2 websocket_subscribe_shared_space_with_delegated_ucan_returns_space_metadata', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(alice);
    const toAlice = shared.grant(alice, '/space/admin');
    const toBob = alice.key.issue({
      audience: bob.key.did,
      space: shared.id,
      cmd: '/space/read',
      proof: toAlice,
    });
    const c = await server.connect(bob);
    const result = await c.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toBob }] });
    expect(result).toEqual({ spaces: [{ id: shared.id, cursor: 0, key_generation: 1 }] });
  });

  it('RPC-AUTHZ-2 refuses a chain for another audience, another space, an expired one, or no DID', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const noDid = server.user('nodid', { did: '' });
    const shared = await server.sharedSpace();
    const other = await server.sharedSpace();
    const c = await server.connect(alice);
    const expired = shared.root.issue({
      audience: alice.key.did,
      space: shared.id,
      exp: Math.floor(Date.now() / 1000) - 10,
    });
    const result = await c.call('subscribe', {
      spaces: [
        { id: shared.id, since: 0, ucan: shared.grant(bob) },
        { id: shared.id, since: 0, ucan: other.grant(alice) },
        { id: shared.id, since: 0, ucan: expired },
        { id: shared.id, since: 0, ucan: 'not.a.ucan' },
      ],
    });
    expect((result.errors as { error: string }[]).map((e) => e.error)).toEqual([
      'forbidden',
      'forbidden',
      'forbidden',
      'forbidden',
    ]);
    const c2 = await server.connect(noDid);
    const r2 = await c2.call('subscribe', {
      spaces: [{ id: shared.id, since: 0, ucan: shared.grant(noDid.key.did) }],
    });
    expect(r2.errors).toEqual([{ space: shared.id, error: 'forbidden' }]);
  });

  it('RPC-AUTHZ-3 websocket_subscribe_shared_space_with_revoked_ucan_reports_forbidden', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace();
    const ucan = shared.grant(alice, '/space/read');
    await server.storage.revokeUcan(shared.id, ucanCid(ucan));
    const c = await server.connect(alice);
    const result = await c.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan }] });
    expect(result).toEqual({ spaces: [], errors: [{ space: shared.id, error: 'forbidden' }] });
  });

  it('RPC-AUTHZ-3 websocket_subscribe_shared_space_with_revoked_proof_ucan_reports_forbidden', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(alice);
    const toAlice = shared.grant(alice, '/space/admin');
    const toBob = alice.key.issue({
      audience: bob.key.did,
      space: shared.id,
      cmd: '/space/read',
      proof: toAlice,
    });
    await server.storage.revokeUcan(shared.id, ucanCid(toAlice));
    const c = await server.connect(bob);
    const result = await c.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toBob }] });
    expect(result.errors).toEqual([{ space: shared.id, error: 'forbidden' }]);
  });

  it('RPC-AUTHZ-1 a storage failure is internal, never forbidden (the SDK reads forbidden as revocation)', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace();
    const c = await server.connect(alice);
    await server.query('DROP TABLE revocations');
    const result = await c.call('subscribe', {
      spaces: [{ id: shared.id, since: 0, ucan: shared.grant(alice, '/space/read') }],
    });
    expect(result.errors).toEqual([{ space: shared.id, error: 'internal' }]);
    expect(server.logged('space authorization failed')).toBeDefined();
  });
});

describe('subscriptions and broadcasts (RPC-SUB-3, RPC-SUB-4, R5, R8, R11)', () => {
  it('RPC-SUB-3 R5 two spellings of one space are one broadcast group; notifications carry the canonical id', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace();
    const upper = shared.id.toUpperCase();
    const simple = shared.id.replaceAll('-', '');
    const reader = await server.connect(alice);
    const writer = await server.connect(alice);
    const sub = await reader.call('subscribe', {
      spaces: [{ id: upper, since: 0, ucan: shared.grant(alice, '/space/read') }],
    });
    // The result echoes the id as the client wrote it, so the client can match it.
    expect((sub.spaces as { id: string }[])[0]?.id).toBe(upper);
    const record = randomUUID().toUpperCase();
    const pushed = await writer.call('push', {
      space: simple,
      ucan: shared.grant(alice),
      changes: [{ id: record, blob: blob(1), expected_cursor: 0 }],
    });
    expect(pushed).toEqual({ ok: true, cursor: 1 });
    const sync = await reader.nextNotification('sync');
    expect(sync.params.space).toBe(shared.id);
    expect((sync.params.records as { id: string }[])[0]?.id).toBe(record.toLowerCase());
  });

  it('RPC-SUB-4 websocket_unsubscribe_notification_stops_sync_broadcasts', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const reader = await server.connect(alice);
    const writer = await server.connect(alice);
    await reader.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    const push = (cursor: number) =>
      writer.call('push', {
        space: alice.personalSpaceId,
        changes: [{ id: randomUUID(), blob: blob(cursor), expected_cursor: 0 }],
      });
    await push(1);
    await reader.nextNotification('sync');
    reader.notify('unsubscribe', { spaces: [alice.personalSpaceId.toUpperCase()] });
    // The notification is handled before the next request on the same connection.
    await reader.call('subscribe', { spaces: [] });
    await push(2);
    await reader.expectNoNotification('sync', 300);
    // Invalid or empty unsubscribe params are ignored and never answered.
    reader.notify('unsubscribe', { spaces: [] });
    reader.notify('unsubscribe', { spaces: 'x' });
    reader.notify('unsubscribe', undefined);
    expect((await reader.request('subscribe', { spaces: [] })).result).toEqual({ spaces: [] });
  });

  it('RPC-PUSH-3 a push reaches the other subscriber and not the sender', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(alice);
    const ca = await server.connect(alice);
    const cb = await server.connect(bob);
    await ca.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: shared.grant(alice) }] });
    await cb.call('subscribe', {
      spaces: [{ id: shared.id, since: 0, ucan: shared.grant(bob, '/space/read') }],
    });
    const id = randomUUID();
    await ca.call('push', {
      space: shared.id,
      ucan: shared.grant(alice),
      changes: [{ id, blob: blob(7), expected_cursor: 0 }],
    });
    const sync = await cb.nextNotification('sync');
    expect(sync.params).toEqual({
      space: shared.id,
      prev: 0,
      cursor: 1,
      key_generation: 1,
      records: [{ id, blob: blob(7), cursor: 1 }],
    });
    await ca.expectNoNotification('sync', 200);
  });

  it('R8 a revoked member stops receiving at once and is told `revoked`', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const carol = server.user('carol');
    const shared = await server.sharedSpace(alice);
    const toAlice = shared.grant(alice, '/space/admin');
    const toBob = alice.key.issue({
      audience: bob.key.did,
      space: shared.id,
      cmd: '/space/read',
      proof: toAlice,
    });
    const toCarol = shared.grant(carol, '/space/read');
    const ca = await server.connect(alice);
    const cb = await server.connect(bob);
    const cc = await server.connect(carol);
    await cb.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toBob }] });
    await cc.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toCarol }] });
    await server.storage.revokeUcan(shared.id, ucanCid(toBob));
    const ended = await server.services.sessions.revoke(shared.id.toUpperCase(), ucanCid(toBob));
    expect(ended).toBe(1);
    expect(await cb.nextNotification('revoked')).toEqual({
      method: 'revoked',
      params: { space: shared.id, reason: 'ucan_revoked' },
    });
    await ca.call('push', {
      space: shared.id,
      ucan: toAlice,
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    await cc.nextNotification('sync');
    await cb.expectNoNotification('sync', 300);
    // Re-subscribing with the revoked token fails; a second revoke finds nothing left to end.
    const again = await cb.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toBob }] });
    expect(again.errors).toEqual([{ space: shared.id, error: 'forbidden' }]);
    expect(await server.services.sessions.revoke(shared.id, ucanCid(toBob))).toBe(0);
  });

  it('R8 end to end: membership.revoke by an admin ends the member’s live subscription at once', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(alice);
    const toAlice = shared.grant(alice, '/space/admin');
    const toBob = alice.key.issue({
      audience: bob.key.did,
      space: shared.id,
      cmd: '/space/write',
      proof: toAlice,
    });
    const ca = await server.connect(alice);
    const cb = await server.connect(bob);
    await ca.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toAlice }] });
    await cb.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toBob }] });
    expect(
      await ca.call('membership.revoke', { space: shared.id, ucan: toAlice, ucan_cid: ucanCid(toBob) }),
    ).toEqual({});
    expect((await cb.nextNotification('revoked')).params).toEqual({
      space: shared.id,
      reason: 'ucan_revoked',
    });
    await ca.call('push', {
      space: shared.id,
      ucan: toAlice,
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    await cb.expectNoNotification('sync', 300);
    // Requests with the revoked token are refused from now on.
    expect(await cb.call('push', { space: shared.id, ucan: toBob, changes: [] })).toEqual({
      ok: false,
      error: 'forbidden',
    });
  });

  it('R8 revoking a proof ends every subscription delegated from it', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(alice);
    const toAlice = shared.grant(alice, '/space/admin');
    const toBob = alice.key.issue({
      audience: bob.key.did,
      space: shared.id,
      cmd: '/space/read',
      proof: toAlice,
    });
    const cb = await server.connect(bob);
    await cb.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: toBob }] });
    expect(server.services.sessions.grants(server.connectionIds()[0] ?? '').size).toBe(1);
    expect(await server.services.sessions.revoke(shared.id, ucanCid(toAlice))).toBe(1);
    await cb.nextNotification('revoked');
    // A personal-space subscription has no chain and is never ended by a revocation.
    expect(await server.services.sessions.revoke(bob.personalSpaceId, ucanCid(toAlice))).toBe(0);
  });

  it('RPC-SUB-3 R8 a re-subscribe with a new UCAN replaces the grant: revoking the old token no longer ends it', async () => {
    server = await TestServer.start();
    const bob = server.user('bob');
    const shared = await server.sharedSpace();
    const first = shared.grant(bob, '/space/read');
    const second = shared.root.issue({
      audience: bob.key.did,
      space: shared.id,
      cmd: '/space/read',
      nonce: 'n2',
    });
    const cb = await server.connect(bob);
    await cb.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: first }] });
    await cb.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: second }] });
    expect(await server.services.sessions.revoke(shared.id, ucanCid(first))).toBe(0);
    expect(await server.services.sessions.revoke(shared.id, ucanCid(second))).toBe(1);
  });

  it('R11 a JWT whose personal space id names a shared space is refused for it, logged, and nothing is written', async () => {
    server = await TestServer.start();
    const shared = await server.sharedSpace();
    const mallory = server.user('mallory', { personal_space_id: shared.id });
    const c = await server.connect(mallory);
    const sub = await c.call('subscribe', { spaces: [{ id: shared.id, since: 0 }] });
    expect(sub.errors).toEqual([{ space: shared.id, error: 'forbidden' }]);
    const push = await c.call('push', {
      space: shared.id,
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    expect(push).toEqual({ ok: false, error: 'forbidden' });
    expect(server.logged('JWT personal space id names a shared space; access refused')?.fields).toMatchObject(
      {
        space: shared.id,
        userId: 'mallory',
      },
    );
    expect(await server.query('SELECT id FROM records')).toEqual([]);
  });

  it('PRESENCE-3 subscribe with presence lists the other peers, never this connection', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const a = await server.connect(alice);
    const b = await server.connect(alice);
    await a.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    const aId =
      [...server.endpoint.connections()].find((conn) => conn.isSubscribed(alice.personalSpaceId))?.id ?? '';
    server.services.presence.set(alice.personalSpaceId, aId, blob(3));
    const result = await b.call('subscribe', {
      spaces: [{ id: alice.personalSpaceId, since: 0, presence: true }],
    });
    expect(result.spaces).toEqual([
      {
        id: alice.personalSpaceId,
        cursor: 0,
        key_generation: 1,
        peers: [{ peer: server.services.presence.pseudonym(aId, alice.personalSpaceId), data: blob(3) }],
      },
    ]);
  });

  it('RPC-SUB-4 PRESENCE-2 unsubscribe clears this connection’s presence and tells the others', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const a = await server.connect(alice);
    const b = await server.connect(alice);
    await a.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    await b.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    const aId = [...server.endpoint.connections()].find((conn) => conn.subscriptions.size > 0)?.id ?? '';
    server.services.presence.set(alice.personalSpaceId, aId, blob(1));
    a.notify('unsubscribe', { spaces: [alice.personalSpaceId] });
    const leave = await b.nextNotification('presence.leave');
    expect(leave.params).toEqual({
      space: alice.personalSpaceId,
      peer: server.services.presence.pseudonym(aId, alice.personalSpaceId),
    });
  });
});
