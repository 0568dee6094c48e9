import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { overrideStorage, TestServer } from '../../harness/index.js';
import { appendParams, sha256, snapshot } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('membership.append (RPC-MEM-1)', () => {
  it('RPC-MEM-1 websocket_membership_append_returns_chain_seq_and_metadata_version', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const first = bytes(7, 8, 9);
    expect(await c.call('membership.append', appendParams(space, 0, first))).toEqual({
      chain_seq: 1,
      metadata_version: 1,
    });
    const second = bytes(1, 2, 3);
    expect(await c.call('membership.append', appendParams(space, 1, second, sha256(first)))).toEqual({
      chain_seq: 2,
      metadata_version: 2,
    });
    const members = await server.query<{ chain_seq: number; prev_hash: Uint8Array | null; cursor: string }>(
      'SELECT chain_seq, prev_hash, cursor FROM members ORDER BY chain_seq',
    );
    expect(
      members.map((m) => [m.chain_seq, m.prev_hash === null ? null : [...m.prev_hash], Number(m.cursor)]),
    ).toEqual([
      [1, null, 1],
      [2, [...sha256(first)], 2],
    ]);
    const [row] = await server.query<{ metadata_version: number; cursor: string }>(
      'SELECT metadata_version, cursor FROM spaces WHERE id = $1',
      [space],
    );
    expect({ version: row?.metadata_version, cursor: Number(row?.cursor) }).toEqual({
      version: 2,
      cursor: 2,
    });
  });

  it('RPC-MEM-1 websocket_membership_append_conflict_maps_to_conflict_error (version CAS and hash chain)', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    // A prev_hash on an empty log breaks the chain.
    const orphan = await c.request('membership.append', appendParams(space, 0, bytes(1), sha256(bytes(9))));
    expect(orphan.error).toEqual({ code: 'conflict', message: 'conflict' });
    await c.call('membership.append', appendParams(space, 0, bytes(1)));
    const before = await snapshot(server);
    const stale = await c.request('membership.append', appendParams(space, 0, bytes(2), sha256(bytes(1))));
    expect(stale.error).toEqual({ code: 'conflict', message: 'conflict' });
    const broken = await c.request('membership.append', appendParams(space, 1, bytes(2), sha256(bytes(5))));
    expect(broken.error).toEqual({ code: 'conflict', message: 'conflict' });
    const missing = await c.request('membership.append', appendParams(space, 1, bytes(2)));
    expect(missing.error).toEqual({ code: 'conflict', message: 'conflict' });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-MEM-1 websocket_membership_append_invalid_params_returns_invalid_params_error (no DB change)', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const good = appendParams(space, 0, bytes(1));
    const before = await snapshot(server);
    const bad: unknown[] = [
      'not-a-map',
      null,
      undefined,
      [good],
      {},
      { ...good, space: undefined },
      { ...good, space: 42 },
      { ...good, expected_version: '0' },
      { ...good, expected_version: 2 ** 31 },
      { ...good, expected_version: undefined },
      { ...good, entry_hash: 'hash' },
      { ...good, entry_hash: undefined },
      { ...good, payload: [1, 2] },
      { ...good, payload: null },
      { ...good, prev_hash: 'text' },
      { ...good, ucan: 7 },
    ];
    for (const params of bad) {
      const reply = await c.request('membership.append', params);
      expect(reply.error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid membership append params',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-MEM-1 websocket_membership_append_invalid_space_id_returns_bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user('alice'));
    const before = await snapshot(server);
    for (const space of ['not-a-uuid', '', `${randomUUID()}x`]) {
      const reply = await c.request('membership.append', appendParams(space, 0, bytes(1)));
      expect(reply.error).toEqual({ code: 'bad_request', message: 'invalid space id' });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-MEM-1 entry checks in order: 32-byte hash, non-empty payload, hash matches payload', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const before = await snapshot(server);
    const short = await c.request('membership.append', {
      ...appendParams(space, 0, bytes(1)),
      entry_hash: new Uint8Array(31),
    });
    expect(short.error).toEqual({ code: 'bad_request', message: 'entry_hash must be 32 bytes' });
    const empty = await c.request('membership.append', {
      ...appendParams(space, 0, bytes(1)),
      payload: new Uint8Array(0),
    });
    expect(empty.error).toEqual({ code: 'bad_request', message: 'payload must not be empty' });
    const mismatch = await c.request('membership.append', {
      ...appendParams(space, 0, bytes(1)),
      entry_hash: sha256(bytes(2)),
    });
    expect(mismatch.error).toEqual({
      code: 'bad_request',
      message: 'entry_hash does not match SHA-256 of payload',
    });
    // The checks come before authorization, so the personal space was not even created.
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-MEM-1 RPC-AUTHZ-1 shared spaces need a Write UCAN; unknown spaces are forbidden', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(owner);
    const c = await server.connect(bob);
    const before = await snapshot(server);
    for (const [space, ucan] of [
      [shared.id, undefined],
      [shared.id, shared.grant(bob, '/space/read')],
      [shared.id, shared.grant(owner, '/space/write')],
      [randomUUID(), shared.grant(bob, '/space/write')],
    ] as const) {
      const reply = await c.request('membership.append', appendParams(space, 0, bytes(1), undefined, ucan));
      expect(reply.error).toEqual({ code: 'forbidden', message: 'forbidden' });
    }
    expect(await snapshot(server)).toEqual(before);
    const ok = await c.call(
      'membership.append',
      appendParams(shared.id.toUpperCase(), 0, bytes(1), undefined, shared.grant(bob, '/space/write')),
    );
    expect(ok).toEqual({ chain_seq: 1, metadata_version: 1 });
  });

  it('RPC-MEM-1 a storage failure is internal "internal" and the rate-limit action is given back', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage({
        appendMember: () => Promise.reject(new Error('disk on fire')),
      }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('membership.append', appendParams(alice.personalSpaceId, 0, bytes(1)));
    expect(reply.error).toEqual({ code: 'internal', message: 'internal' });
    expect(await server.query('SELECT * FROM rate_limit_actions')).toEqual([]);
    expect(server.logged('storage operation failed')).toBeDefined();
  });

  it('R12 a refund that fails is logged; the client still gets the original error', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage({
        refundAction: () => Promise.reject(new Error('refund lost')),
      }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('membership.append', {
      ...appendParams(alice.personalSpaceId, 0, bytes(1)),
      payload: bytes(2),
    });
    expect(reply.error?.code).toBe('bad_request');
    expect(server.logged('rate limit refund failed')).toBeDefined();
  });
});

describe('membership.append rate limit (RPC-RATE-1, R12)', () => {
  it('R12 RPC-RATE-1 at most N appends per window; only successes count; at the limit even bad input is refused', async () => {
    server = await TestServer.start({ rateLimits: { membershipAppend: { max: 2, windowSeconds: 3600 } } });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    // Failures are given back: they do not use up the allowance.
    const bad = await c.request('membership.append', {
      ...appendParams(space, 0, bytes(1)),
      payload: bytes(2),
    });
    expect(bad.error?.code).toBe('bad_request');
    const conflict = await c.request('membership.append', appendParams(space, 5, bytes(1)));
    expect(conflict.error?.code).toBe('conflict');
    await c.call('membership.append', appendParams(space, 0, bytes(1)));
    await c.call('membership.append', appendParams(space, 1, bytes(2), sha256(bytes(1))));
    const before = await snapshot(server);
    const limited = await c.request('membership.append', appendParams(space, 2, bytes(3), sha256(bytes(2))));
    expect(limited.error).toEqual({
      code: 'rate_limited',
      message: 'rate limit exceeded: max 2 membership appends per hour',
    });
    const limitedBad = await c.request('membership.append', {
      ...appendParams(space, 2, bytes(3)),
      entry_hash: bytes(1),
    });
    expect(limitedBad.error?.code).toBe('rate_limited');
    expect(await snapshot(server)).toEqual(before);
    expect(await server.query('SELECT action FROM rate_limit_actions')).toEqual([
      { action: 'membership_append' },
      { action: 'membership_append' },
    ]);
    // Another user has an allowance of their own.
    const bob = server.user('bob');
    const cb = await server.connect(bob);
    await cb.call('membership.append', appendParams(bob.personalSpaceId, 0, bytes(1)));
  });

  it('R12 the window is configurable and named in the message', async () => {
    server = await TestServer.start({ rateLimits: { membershipAppend: { max: 1, windowSeconds: 60 } } });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    await c.call('membership.append', appendParams(alice.personalSpaceId, 0, bytes(1)));
    const reply = await c.request(
      'membership.append',
      appendParams(alice.personalSpaceId, 1, bytes(2), sha256(bytes(1))),
    );
    expect(reply.error).toEqual({
      code: 'rate_limited',
      message: 'rate limit exceeded: max 1 membership appends per 60 seconds',
    });
  });

  it('RPC-RATE-1 a failure to count is internal "internal error" before any validation', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage({
        tryRecordAction: () => Promise.reject(new Error('no rate table')),
      }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('membership.append', {
      ...appendParams(alice.personalSpaceId, 0, bytes(1)),
      payload: bytes(2),
    });
    expect(reply.error).toEqual({ code: 'internal', message: 'internal error' });
    expect(await server.query('SELECT * FROM members')).toEqual([]);
  });
});

describe('membership broadcast (RPC-MEM-4, RT-2)', () => {
  it('RPC-MEM-4 append broadcasts `membership` to the other subscribers, never the sender', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(owner);
    const ownerUcan = shared.grant(owner, '/space/admin');
    const bobUcan = shared.grant(bob, '/space/read');
    const sender = await server.connect(owner);
    const watcher = await server.connect(bob);
    await sender.call('subscribe', { spaces: [{ id: shared.id, since: 0, ucan: ownerUcan }] });
    await watcher.call('subscribe', { spaces: [{ id: shared.id.toUpperCase(), since: 0, ucan: bobUcan }] });
    await sender.call('membership.append', appendParams(shared.id, 0, bytes(7, 8, 9), undefined, ownerUcan));
    const first = await watcher.nextNotification('membership');
    expect(first.params).toEqual({
      space: shared.id,
      cursor: 1,
      entries: [{ chain_seq: 1, entry_hash: sha256(bytes(7, 8, 9)), payload: bytes(7, 8, 9) }],
    });
    await sender.call(
      'membership.append',
      appendParams(shared.id, 1, bytes(1), sha256(bytes(7, 8, 9)), ownerUcan),
    );
    const second = await watcher.nextNotification('membership');
    expect(second.params).toEqual({
      space: shared.id,
      cursor: 2,
      entries: [
        { chain_seq: 2, prev_hash: sha256(bytes(7, 8, 9)), entry_hash: sha256(bytes(1)), payload: bytes(1) },
      ],
    });
    await sender.expectNoNotification('membership', 200);
  });

  it('RPC-MEM-4 a failed broadcast never fails the stored append', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    await c.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    const broker = server.broker as unknown as { broadcastSpace: (...args: unknown[]) => Promise<number> };
    broker.broadcastSpace = () => Promise.reject(new Error('broker down'));
    expect(await c.call('membership.append', appendParams(alice.personalSpaceId, 0, bytes(1)))).toEqual({
      chain_seq: 1,
      metadata_version: 1,
    });
    expect(server.logged('membership broadcast failed')).toBeDefined();
  });
});

describe('membership.list (RPC-MEM-2)', () => {
  it('RPC-MEM-2 websocket_membership_list_returns_entries_and_metadata_version', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    await c.call('membership.append', appendParams(space, 0, bytes(7, 8, 9)));
    await c.call('membership.append', appendParams(space, 1, bytes(4), sha256(bytes(7, 8, 9))));
    const all = await c.call('membership.list', { space, since_seq: 0 });
    expect(all).toEqual({
      entries: [
        { chain_seq: 1, entry_hash: sha256(bytes(7, 8, 9)), payload: bytes(7, 8, 9) },
        { chain_seq: 2, prev_hash: sha256(bytes(7, 8, 9)), entry_hash: sha256(bytes(4)), payload: bytes(4) },
      ],
      metadata_version: 2,
    });
    // since_seq is optional (the SDK omits it) and filters strictly after.
    expect((await c.call('membership.list', { space, ucan: undefined })).entries).toHaveLength(2);
    const tail = await c.call('membership.list', { space, since_seq: 1 });
    expect(tail).toEqual({ entries: [all.entries && (all.entries as unknown[])[1]], metadata_version: 2 });
    expect(await c.call('membership.list', { space, since_seq: 2 })).toEqual({
      entries: [],
      metadata_version: 2,
    });
  });

  it('RPC-MEM-2 a fresh personal space lists nothing at version 0', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect(await c.call('membership.list', { space: alice.personalSpaceId })).toEqual({
      entries: [],
      metadata_version: 0,
    });
  });

  it('RPC-MEM-2 RPC-AUTHZ-1 websocket_membership_list_non_personal_space_without_ucan_returns_forbidden', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(owner);
    const c = await server.connect(bob);
    for (const params of [
      { space: randomUUID(), since_seq: 0 },
      { space: shared.id, since_seq: 0 },
      { space: owner.personalSpaceId, since_seq: 0 },
    ]) {
      const reply = await c.request('membership.list', params);
      expect(reply.error).toEqual({ code: 'forbidden', message: 'forbidden' });
    }
    // A Read UCAN is enough.
    expect(
      await c.call('membership.list', { space: shared.id, ucan: shared.grant(bob, '/space/read') }),
    ).toEqual({
      entries: [],
      metadata_version: 0,
    });
    expect(await server.query('SELECT id FROM spaces')).toEqual([{ id: shared.id }]);
  });

  it('RPC-MEM-2 websocket_membership_list_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    for (const params of [
      'not-a-map',
      undefined,
      {},
      { space: 1 },
      { space: alice.personalSpaceId, since_seq: 'x' },
      { space: alice.personalSpaceId, since_seq: 2 ** 40 },
      { space: alice.personalSpaceId, since_seq: null },
    ]) {
      const reply = await c.request('membership.list', params);
      expect(reply.error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid membership list params',
      });
    }
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('RPC-MEM-2 websocket_membership_list_invalid_space_id_returns_bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user('alice'));
    const reply = await c.request('membership.list', { space: 'not-a-uuid', since_seq: 0 });
    expect(reply.error).toEqual({ code: 'bad_request', message: 'invalid space id' });
  });

  it('RPC-MEM-2 storage errors: a vanished space is not_found, anything else internal', async () => {
    let failure: Error = new Error('boom');
    server = await TestServer.start({
      wrapStorage: overrideStorage({ getMembers: () => Promise.reject(failure) }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect((await c.request('membership.list', { space: alice.personalSpaceId })).error).toEqual({
      code: 'internal',
      message: 'internal',
    });
    const { StorageError } = await import('@less-sync/storage');
    failure = new StorageError('SpaceNotFound');
    expect((await c.request('membership.list', { space: alice.personalSpaceId })).error).toEqual({
      code: 'not_found',
      message: 'space not found',
    });
  });
});
