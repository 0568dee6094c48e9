import { randomUUID } from 'node:crypto';
import { StorageError } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { overrideStorage, type TestClient, TestServer, type TestUser } from '../../harness/index.js';
import { pushRecords, snapshot, wrappedDek } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function recordDeks(space: string): Promise<Array<{ id: string; dek: number[] }>> {
  const rows = await server.query<{ id: string; wrapped_dek: Uint8Array }>(
    'SELECT id, wrapped_dek FROM records WHERE space_id = $1 ORDER BY id',
    [space],
  );
  return rows.map((r) => ({ id: r.id, dek: [...r.wrapped_dek] }));
}

async function aliceWithRecords(count: number): Promise<{ alice: TestUser; c: TestClient; ids: string[] }> {
  const alice = server.user('alice');
  const c = await server.connect(alice);
  const ids = await pushRecords(c, alice.personalSpaceId, count);
  return { alice, c, ids };
}

describe('deks.get (RPC-DEK-1, R4)', () => {
  it('RPC-DEK-1 R4 websocket_deks_get_returns_records: one deks.record chunk per DEK, then the full list and _chunks', async () => {
    server = await TestServer.start();
    const { alice, c, ids } = await aliceWithRecords(3);
    // A record pushed without a DEK is not listed.
    await c.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id: randomUUID(), blob: Uint8Array.of(1), expected_cursor: 0 }],
    });
    const reply = await c.request('deks.get', { space: alice.personalSpaceId, since: 0 });
    // One push is one cursor: ties are ordered by id.
    const expected = ids
      .map((id, i) => ({ id, dek: wrappedDek(1, i), seq: 1 }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(reply.chunks).toEqual(expected.map((data) => ({ name: 'deks.record', data })));
    expect(reply.result).toEqual({ deks: expected, _chunks: 3 });
    // `since` filters by cursor (strictly after) and is optional, as the SDK may omit it.
    const later = await c.request('deks.get', { space: alice.personalSpaceId, since: 1 });
    expect(later.result).toEqual({ deks: [], _chunks: 0 });
    expect(later.chunks).toEqual([]);
    const omitted = await c.request('deks.get', { space: alice.personalSpaceId, ucan: undefined });
    expect(omitted.chunks).toHaveLength(3);
  });

  it('RPC-DEK-1 records come in cursor order across pushes; `since` beyond the i53 range means nothing new', async () => {
    server = await TestServer.start();
    const { alice, c, ids } = await aliceWithRecords(1);
    const [second] = await pushRecords(c, alice.personalSpaceId, 1);
    const reply = await c.request('deks.get', { space: alice.personalSpaceId, since: 0 });
    expect(reply.chunks.map((ch) => [ch.data.id, ch.data.seq])).toEqual([
      [ids[0], 1],
      [second, 2],
    ]);
    const huge = await c.request('deks.get', { space: alice.personalSpaceId, since: 2n ** 62n });
    expect(huge.result).toEqual({ deks: [], _chunks: 0 });
    const negative = await c.request('deks.get', { space: alice.personalSpaceId, since: -(2n ** 62n) });
    expect(negative.chunks).toHaveLength(2);
  });

  it('RPC-DEK-1 websocket_deks_get_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    for (const params of [
      'not-a-map',
      undefined,
      {},
      { space: alice.personalSpaceId, since: 'zero' },
      { space: alice.personalSpaceId, since: 2n ** 64n - 1n },
      { space: alice.personalSpaceId, since: null },
      { space: Uint8Array.of(1) },
    ]) {
      const reply = await c.request('deks.get', params);
      expect(reply.error, String(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid deks get params',
      });
      expect(reply.chunks).toEqual([]);
    }
    expect(await server.query('SELECT * FROM spaces')).toEqual([]);
  });

  it('RPC-DEK-1 websocket_deks_get_invalid_space_id_returns_bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user('alice'));
    expect((await c.request('deks.get', { space: 'not-a-uuid', since: 0 })).error).toEqual({
      code: 'bad_request',
      message: 'invalid space id',
    });
  });

  it('RPC-DEK-1 RPC-AUTHZ-1 a shared space needs a Read UCAN; unknown spaces are forbidden', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(owner);
    const co = await server.connect(owner);
    await pushRecords(co, shared.id, 2, 1, shared.grant(owner));
    const c = await server.connect(bob);
    for (const params of [
      { space: shared.id },
      { space: randomUUID(), ucan: shared.grant(bob, '/space/read') },
    ]) {
      const reply = await c.request('deks.get', params);
      expect(reply.error).toEqual({ code: 'forbidden', message: 'forbidden' });
      expect(reply.chunks).toEqual([]);
    }
    const ok = await c.request('deks.get', { space: shared.id, ucan: shared.grant(bob, '/space/read') });
    expect(ok.chunks).toHaveLength(2);
  });

  it('RPC-DEK-1 storage errors: not_found for a vanished space, internal otherwise', async () => {
    let error: Error = new StorageError('SpaceNotFound');
    server = await TestServer.start({
      wrapStorage: overrideStorage({ getDeks: () => Promise.reject(error) }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect((await c.request('deks.get', { space: alice.personalSpaceId })).error).toEqual({
      code: 'not_found',
      message: 'space not found',
    });
    error = new Error('socket hang up');
    expect((await c.request('deks.get', { space: alice.personalSpaceId })).error).toEqual({
      code: 'internal',
      message: 'internal',
    });
  });
});

describe('deks.rewrap (RPC-DEK-2)', () => {
  it('RPC-DEK-2 rewraps every listed record in one go: {ok, count}', async () => {
    server = await TestServer.start();
    const { alice, c, ids } = await aliceWithRecords(2);
    const space = alice.personalSpaceId;
    await c.call('epoch.begin', { space, epoch: 2 });
    const result = await c.call('deks.rewrap', {
      space,
      deks: ids.map((id, i) => ({ id: id.toUpperCase(), dek: wrappedDek(2, 0x10 + i) })),
    });
    expect(result).toEqual({ ok: true, count: 2 });
    expect(await recordDeks(space)).toEqual(
      ids
        .map((id, i) => ({ id, dek: [...wrappedDek(2, 0x10 + i)] }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(await c.call('deks.rewrap', { space, deks: [] })).toEqual({ ok: true, count: 0 });
  });

  it('RPC-DEK-2 websocket_deks_rewrap_returns_conflict_on_epoch_mismatch (nothing written)', async () => {
    server = await TestServer.start();
    const { alice, c, ids } = await aliceWithRecords(2);
    const before = await snapshot(server);
    const reply = await c.request('deks.rewrap', {
      space: alice.personalSpaceId,
      deks: [
        { id: ids[0], dek: wrappedDek(1, 0x77) },
        { id: ids[1], dek: wrappedDek(2, 0x77) },
      ],
    });
    expect(reply.error).toEqual({
      code: 'conflict',
      message: 'DEK epoch does not match current key generation',
    });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-DEK-2 websocket_deks_rewrap_returns_bad_request_for_invalid_record_id; entries are checked in order', async () => {
    server = await TestServer.start();
    const { alice, c, ids } = await aliceWithRecords(1);
    const space = alice.personalSpaceId;
    const before = await snapshot(server);
    const empty = await c.request('deks.rewrap', { space, deks: [{ id: '', dek: wrappedDek(1) }] });
    expect(empty.error).toEqual({
      code: 'bad_request',
      message: 'invalid record: id must be non-empty string',
    });
    const sizeFirst = await c.request('deks.rewrap', {
      space,
      deks: [
        { id: ids[0], dek: new Uint8Array(43) },
        { id: '', dek: wrappedDek(1) },
      ],
    });
    expect(sizeFirst.error).toEqual({
      code: 'bad_request',
      message: 'invalid record: wrapped DEK must be exactly 44 bytes',
    });
    // An unknown record rolls the whole batch back.
    const unknown = await c.request('deks.rewrap', {
      space,
      deks: [
        { id: ids[0], dek: wrappedDek(1, 0x55) },
        { id: randomUUID(), dek: wrappedDek(1) },
      ],
    });
    expect(unknown.error).toEqual({ code: 'bad_request', message: 'one or more DEK records were not found' });
    // NOTE-9 kept: a non-empty id that is not a UUID is `internal`.
    const notUuid = await c.request('deks.rewrap', { space, deks: [{ id: 'record-1', dek: wrappedDek(1) }] });
    expect(notUuid.error).toEqual({ code: 'internal', message: 'internal' });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-DEK-2 websocket_deks_rewrap_returns_bad_request_for_invalid_wrapped_dek_size', async () => {
    server = await TestServer.start();
    const { alice, c, ids } = await aliceWithRecords(1);
    for (const size of [0, 43, 45]) {
      const reply = await c.request('deks.rewrap', {
        space: alice.personalSpaceId,
        deks: [{ id: ids[0], dek: new Uint8Array(size) }],
      });
      expect(reply.error).toEqual({
        code: 'bad_request',
        message: 'invalid record: wrapped DEK must be exactly 44 bytes',
      });
    }
  });

  it('RPC-DEK-2 websocket_deks_rewrap_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const { alice, c, ids } = await aliceWithRecords(1);
    const space = alice.personalSpaceId;
    const before = await snapshot(server);
    for (const params of [
      'not-a-map',
      undefined,
      { space },
      { space, deks: 'all' },
      { space, deks: [{ id: ids[0] }] },
      { space, deks: [{ id: ids[0], dek: 'text' }] },
      { space, deks: [{ dek: wrappedDek(1) }] },
      { space, deks: [null] },
      { deks: [] },
    ]) {
      expect((await c.request('deks.rewrap', params)).error).toEqual({
        code: 'invalid_params',
        message: 'invalid deks rewrap params',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-DEK-2 websocket_deks_rewrap_invalid_space_id_returns_bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user('alice'));
    expect((await c.request('deks.rewrap', { space: 'x', deks: [] })).error).toEqual({
      code: 'bad_request',
      message: 'invalid space id',
    });
  });

  it('RPC-DEK-2 RPC-AUTHZ-1 a Read UCAN cannot rewrap', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(owner);
    const co = await server.connect(owner);
    const [id] = await pushRecords(co, shared.id, 1, 1, shared.grant(owner));
    const c = await server.connect(bob);
    const before = await snapshot(server);
    const reply = await c.request('deks.rewrap', {
      space: shared.id,
      ucan: shared.grant(bob, '/space/read'),
      deks: [{ id, dek: wrappedDek(1, 0x33) }],
    });
    expect(reply.error).toEqual({ code: 'forbidden', message: 'forbidden' });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-DEK-2 a vanished space is not_found', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage({
        rewrapDeks: () => Promise.reject(new StorageError('SpaceNotFound')),
      }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect((await c.request('deks.rewrap', { space: alice.personalSpaceId, deks: [] })).error).toEqual({
      code: 'not_found',
      message: 'space not found',
    });
  });
});
