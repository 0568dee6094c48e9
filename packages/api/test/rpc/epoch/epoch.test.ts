import { randomUUID } from 'node:crypto';
import { type Storage, StorageError } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { overrideStorage, TestServer } from '../../harness/index.js';
import { settle, snapshot } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function epochState(space: string) {
  const [row] = await server.query<{
    key_generation: number;
    min_key_generation: number;
    rewrap_epoch: number | null;
  }>('SELECT key_generation, min_key_generation, rewrap_epoch FROM spaces WHERE id = $1', [space]);
  return row;
}

function failing(method: keyof Storage, error: () => Error) {
  return overrideStorage({ [method]: () => Promise.reject(error()) });
}

describe('epoch.begin (RPC-EPOCH-1, R3)', () => {
  it('RPC-EPOCH-1 websocket_epoch_begin_returns_epoch_result: key_generation and rewrap_epoch move together', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    expect(await c.call('epoch.begin', { space, epoch: 2 })).toEqual({ epoch: 2 });
    expect(await epochState(space)).toEqual({ key_generation: 2, min_key_generation: 1, rewrap_epoch: 2 });
    await c.call('epoch.complete', { space, epoch: 2 });
    expect(await c.call('epoch.begin', { space, epoch: 3, set_min_key_generation: true })).toEqual({
      epoch: 3,
    });
    expect(await epochState(space)).toEqual({ key_generation: 3, min_key_generation: 3, rewrap_epoch: 3 });
  });

  it('R3 RPC-EPOCH-1 websocket_epoch_begin_conflict_returns_conflict_result_payload with "epoch_conflict"', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    await c.call('epoch.begin', { space, epoch: 2 });
    const before = await snapshot(server);
    // A rewrap is pending: the result says so (a success frame, as the SDK expects).
    const pending = await c.request('epoch.begin', { space, epoch: 3 });
    expect(pending.error).toBeUndefined();
    expect(pending.result).toEqual({ error: 'epoch_conflict', current_epoch: 2, rewrap_epoch: 2 });
    await c.call('epoch.complete', { space, epoch: 2 });
    // Not the next epoch: no rewrap_epoch key at all.
    const skipped = await c.request('epoch.begin', { space, epoch: 5 });
    expect(skipped.result).toEqual({ error: 'epoch_conflict', current_epoch: 2 });
    expect(Object.hasOwn(skipped.result ?? {}, 'rewrap_epoch')).toBe(false);
    const stale = await c.request('epoch.begin', { space, epoch: 2 });
    expect(stale.result).toEqual({ error: 'epoch_conflict', current_epoch: 2 });
    const lowest = await c.request('epoch.begin', { space, epoch: -(2 ** 31) });
    expect(lowest.result).toEqual({ error: 'epoch_conflict', current_epoch: 2 });
    const after = await snapshot(server);
    expect(after.members).toEqual(before.members);
    expect(await epochState(space)).toEqual({ key_generation: 2, min_key_generation: 1, rewrap_epoch: null });
  });

  it('R3 RPC-EPOCH-1 concurrent begins of one epoch: exactly one wins, the rest get epoch_conflict', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c1 = await server.connect(alice);
    const c2 = await server.connect(alice);
    const c3 = await server.connect(alice);
    const space = alice.personalSpaceId;
    await c1.call('membership.list', { space });
    const replies = await Promise.all([c1, c2, c3].map((c) => c.request('epoch.begin', { space, epoch: 2 })));
    const wins = replies.filter((r) => r.result?.epoch === 2);
    const conflicts = replies.filter((r) => r.result?.error === 'epoch_conflict');
    expect(wins).toHaveLength(1);
    expect(conflicts).toHaveLength(2);
    for (const r of conflicts)
      expect(r.result).toEqual({ error: 'epoch_conflict', current_epoch: 2, rewrap_epoch: 2 });
  });

  it('RPC-EPOCH-1 RT-2 nothing is broadcast on an epoch change', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const watcher = await server.connect(alice);
    await watcher.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    const c = await server.connect(alice);
    await c.call('epoch.begin', { space: alice.personalSpaceId, epoch: 2 });
    await c.call('epoch.complete', { space: alice.personalSpaceId, epoch: 2 });
    await settle();
    expect(watcher.notifications).toEqual([]);
  });

  it('RPC-EPOCH-1 websocket_epoch_begin_invalid_params_returns_invalid_params_error (no DB change)', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const before = await snapshot(server);
    for (const params of [
      'not-a-map',
      undefined,
      {},
      { space },
      { epoch: 2 },
      { space, epoch: '2' },
      { space, epoch: 2 ** 31 },
      { space, epoch: null },
      { space, epoch: 2, set_min_key_generation: 1 },
      { space, epoch: 2, set_min_key_generation: null },
    ]) {
      expect((await c.request('epoch.begin', params)).error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid epoch begin params',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-EPOCH-1 websocket_epoch_begin_invalid_space_id_returns_bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user('alice'));
    expect((await c.request('epoch.begin', { space: 'not-a-uuid', epoch: 2 })).error).toEqual({
      code: 'bad_request',
      message: 'invalid space id',
    });
  });

  it('RPC-EPOCH-1 RPC-AUTHZ-1 shared spaces need Write; unknown spaces are forbidden', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(owner);
    const c = await server.connect(bob);
    const before = await snapshot(server);
    for (const params of [
      { space: shared.id, epoch: 2 },
      { space: shared.id, epoch: 2, ucan: shared.grant(bob, '/space/read') },
      { space: randomUUID(), epoch: 2, ucan: shared.grant(bob) },
    ]) {
      expect((await c.request('epoch.begin', params)).error).toEqual({
        code: 'forbidden',
        message: 'forbidden',
      });
      expect((await c.request('epoch.complete', params)).error).toEqual({
        code: 'forbidden',
        message: 'forbidden',
      });
    }
    expect(await snapshot(server)).toEqual(before);
    expect(await c.call('epoch.begin', { space: shared.id, epoch: 2, ucan: shared.grant(bob) })).toEqual({
      epoch: 2,
    });
  });

  it('RPC-EPOCH-1 storage errors: a vanished space is not_found "space not found", others internal', async () => {
    let error: () => Error = () => new StorageError('SpaceNotFound');
    server = await TestServer.start({ wrapStorage: failing('advanceEpoch', () => error()) });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect((await c.request('epoch.begin', { space: alice.personalSpaceId, epoch: 2 })).error).toEqual({
      code: 'not_found',
      message: 'space not found',
    });
    error = () => new Error('connection reset');
    expect((await c.request('epoch.begin', { space: alice.personalSpaceId, epoch: 2 })).error).toEqual({
      code: 'internal',
      message: 'internal',
    });
  });
});

describe('epoch.complete (RPC-EPOCH-2)', () => {
  it('RPC-EPOCH-2 websocket_epoch_complete_returns_empty_result and clears rewrap_epoch', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    await c.call('epoch.begin', { space, epoch: 2 });
    expect(await c.call('epoch.complete', { space, epoch: 2 })).toEqual({});
    expect(await epochState(space)).toEqual({ key_generation: 2, min_key_generation: 1, rewrap_epoch: null });
  });

  it('RPC-EPOCH-2 websocket_epoch_complete_mismatch_returns_conflict_error', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    // No rewrap pending at all.
    expect((await c.request('epoch.complete', { space, epoch: 1 })).error).toEqual({
      code: 'conflict',
      message: 'epoch mismatch',
    });
    await c.call('epoch.begin', { space, epoch: 2 });
    const before = await snapshot(server);
    expect((await c.request('epoch.complete', { space, epoch: 3 })).error).toEqual({
      code: 'conflict',
      message: 'epoch mismatch',
    });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-EPOCH-2 websocket_epoch_complete_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    for (const params of [
      'not-a-map',
      undefined,
      {},
      { space: alice.personalSpaceId },
      { space: 1, epoch: 1 },
    ]) {
      expect((await c.request('epoch.complete', params)).error).toEqual({
        code: 'invalid_params',
        message: 'invalid epoch complete params',
      });
    }
    expect(await server.query('SELECT * FROM spaces')).toEqual([]);
  });

  it('RPC-EPOCH-2 websocket_epoch_complete_invalid_space_id_returns_bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user('alice'));
    expect((await c.request('epoch.complete', { space: 'nope', epoch: 2 })).error).toEqual({
      code: 'bad_request',
      message: 'invalid space id',
    });
  });

  it('RPC-EPOCH-2 storage errors: a vanished space is not_found, others internal', async () => {
    let error: () => Error = () => new StorageError('SpaceNotFound');
    server = await TestServer.start({ wrapStorage: failing('completeRewrap', () => error()) });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect((await c.request('epoch.complete', { space: alice.personalSpaceId, epoch: 2 })).error).toEqual({
      code: 'not_found',
      message: 'space not found',
    });
    error = () => new StorageError('Unavailable');
    expect((await c.request('epoch.complete', { space: alice.personalSpaceId, epoch: 2 })).error).toEqual({
      code: 'internal',
      message: 'internal',
    });
  });
});
