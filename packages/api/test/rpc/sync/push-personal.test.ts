/**
 * R11 push fast path: a push to the caller's own personal space is guarded inside storage's lock
 * statement instead of a separate authorization read; anything the guard does not match takes the
 * full authorizer path, so every answer is the one the authorizer would give.
 */
import { randomUUID } from 'node:crypto';
import type { PullParams, PushParams, PushRpcResultInit, WsSubscribeSpace } from '@less-sync/core';
import { type Storage, StorageError } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import type { FederationForwarder, PeerTarget, RemoteChunk } from '../../../src/index.js';
import { TestServer } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const change = () => [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }];

/** Counts the authorizer's reads of a space. */
function countingAuthzReads(counter: { reads: number }) {
  return (s: Storage): Storage => ({
    ...s,
    getOrCreateSpace: (...args) => {
      counter.reads += 1;
      return s.getOrCreateSpace(...args);
    },
    getSpace: (...args) => {
      counter.reads += 1;
      return s.getSpace(...args);
    },
  });
}

class PushForwarder implements FederationForwarder {
  readonly pushes: Array<[PeerTarget, PushParams]> = [];
  async subscribe(_peer: PeerTarget, _spaces: readonly WsSubscribeSpace[]): Promise<undefined> {
    return undefined;
  }
  async forwardPush(peer: PeerTarget, params: PushParams): Promise<PushRpcResultInit> {
    this.pushes.push([peer, params]);
    return { ok: true, cursor: 77 };
  }
  async pull(_peer: PeerTarget, _spaces: PullParams['spaces']): Promise<readonly RemoteChunk[]> {
    return [];
  }
  async restoreSubscriptions(): Promise<void> {}
  async forwardInvitation(): Promise<void> {}
}

describe('push to the caller’s own personal space (R11 fast path)', () => {
  it('R11 RPC-AUTHZ-1 an existing personal space is pushed to with no separate authorization read', async () => {
    const counter = { reads: 0 };
    server = await TestServer.start({ wrapStorage: countingAuthzReads(counter) });
    const alice = server.user();
    await server.storage.getOrCreateSpace(alice.personalSpaceId, alice.clientId);
    const c = await server.connect(alice);
    const upper = alice.personalSpaceId.toUpperCase();
    expect(await c.call('push', { space: upper, changes: change() })).toEqual({ ok: true, cursor: 1 });
    expect(await c.call('push', { space: alice.personalSpaceId, changes: [] })).toEqual({
      ok: true,
      cursor: 1,
    });
    expect(counter.reads).toBe(0);
  });

  it('RPC-AUTHZ-1 the first push to a never-subscribed personal space falls back and creates it', async () => {
    const counter = { reads: 0 };
    server = await TestServer.start({ wrapStorage: countingAuthzReads(counter) });
    const alice = server.user();
    const c = await server.connect(alice);
    expect(await c.call('push', { space: alice.personalSpaceId, changes: change() })).toEqual({
      ok: true,
      cursor: 1,
    });
    expect(counter.reads).toBe(1);
    const rows = await server.query<{ client_id: string; root_public_key: unknown; cursor: string }>(
      'SELECT client_id, root_public_key, cursor::text FROM spaces WHERE id = $1',
      [alice.personalSpaceId],
    );
    expect(rows).toEqual([{ client_id: alice.clientId, root_public_key: null, cursor: '1' }]);
    // An empty first push creates it too, as before.
    const bob = server.user();
    const b = await server.connect(bob);
    expect(await b.call('push', { space: bob.personalSpaceId, changes: [] })).toMatchObject({ ok: true });
    expect(await server.query('SELECT id FROM spaces WHERE id = $1', [bob.personalSpaceId])).toHaveLength(1);
  });

  it('R11 a shared space squatting the caller’s personal id is still forbidden, logged, and untouched', async () => {
    server = await TestServer.start();
    const alice = server.user();
    await server.sharedSpace(undefined, alice.personalSpaceId);
    const c = await server.connect(alice);
    expect(await c.call('push', { space: alice.personalSpaceId, changes: change() })).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await c.call('push', { space: alice.personalSpaceId, changes: [] })).toEqual({
      ok: false,
      error: 'forbidden',
    });
    // A malformed batch gets the authorizer's answer first, as before.
    expect(
      await c.call('push', {
        space: alice.personalSpaceId,
        changes: [{ id: 'not-a-uuid', blob: new Uint8Array([1]), expected_cursor: 0 }],
      }),
    ).toEqual({ ok: false, error: 'forbidden' });
    expect(server.logged('JWT personal space id names a shared space; access refused')).toBeDefined();
    expect(await server.query('SELECT cursor::text FROM spaces')).toEqual([{ cursor: '0' }]);
    expect(await server.query('SELECT id FROM records')).toEqual([]);
  });

  it('RPC-PUSH-1 a malformed batch to one’s own personal space is still bad_request', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const id = randomUUID();
    expect(
      await c.call('push', {
        space: alice.personalSpaceId,
        changes: [
          { id, blob: new Uint8Array([1]), expected_cursor: 0 },
          { id, blob: new Uint8Array([2]), expected_cursor: 0 },
        ],
      }),
    ).toEqual({ ok: false, error: 'bad_request' });
    expect(await server.query('SELECT id FROM records')).toEqual([]);
  });

  it('RPC-PUSH-2 a personal space homed on a peer is still forwarded, and refused without federation', async () => {
    const forwarder = new PushForwarder();
    server = await TestServer.start({ federation: forwarder });
    const alice = server.user();
    await server.storage.getOrCreateSpace(alice.personalSpaceId, alice.clientId);
    await server.storage.setSpaceHomeServer(alice.personalSpaceId, 'peer.example.com');
    const c = await server.connect(alice);
    expect(await c.call('push', { space: alice.personalSpaceId, changes: change() })).toEqual({
      ok: true,
      cursor: 77,
    });
    expect(forwarder.pushes.map(([peer]) => peer.domain)).toEqual(['peer.example.com']);
    expect(await server.query('SELECT id FROM records')).toEqual([]);
    await server.close();

    server = await TestServer.start();
    const bob = server.user();
    await server.storage.getOrCreateSpace(bob.personalSpaceId, bob.clientId);
    await server.storage.setSpaceHomeServer(bob.personalSpaceId, 'peer.example.com');
    const b = await server.connect(bob);
    expect(await b.call('push', { space: bob.personalSpaceId, changes: change() })).toEqual({
      ok: false,
      error: 'internal',
    });
    expect(server.logged('remote space but federation is off')).toBeDefined();
    expect(await server.query('SELECT cursor::text FROM spaces')).toEqual([{ cursor: '0' }]);
  });

  it('R6 a personal space homed on this server itself is served locally; sync carries its keys', async () => {
    const forwarder = new PushForwarder();
    server = await TestServer.start({
      federation: forwarder,
      config: { localDomains: ['sync.example.org'] },
    });
    const alice = server.user();
    await server.storage.getOrCreateSpace(alice.personalSpaceId, alice.clientId);
    await server.storage.setSpaceHomeServer(alice.personalSpaceId, 'https://SYNC.example.org/');
    await server.query('UPDATE spaces SET key_generation = 4, rewrap_epoch = 4 WHERE id = $1', [
      alice.personalSpaceId,
    ]);
    const reader = await server.connect(alice);
    await reader.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    const c = await server.connect(alice);
    expect(await c.call('push', { space: alice.personalSpaceId, changes: change() })).toEqual({
      ok: true,
      cursor: 1,
    });
    expect(forwarder.pushes).toEqual([]);
    expect((await reader.nextNotification('sync')).params).toMatchObject({
      cursor: 1,
      key_generation: 4,
      rewrap_epoch: 4,
    });
  });

  it('R6 the fast path’s sync carries the key generation read under the lock, and no rewrap epoch when none', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const reader = await server.connect(alice);
    await reader.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    await server.query('UPDATE spaces SET key_generation = 2 WHERE id = $1', [alice.personalSpaceId]);
    const c = await server.connect(alice);
    await c.call('push', { space: alice.personalSpaceId, changes: change() });
    const sync = (await reader.nextNotification('sync')).params as Record<string, unknown>;
    expect(sync).toMatchObject({ space: alice.personalSpaceId, cursor: 1, key_generation: 2 });
    expect(sync).not.toHaveProperty('rewrap_epoch');
  });

  it('RPC-PUSH-1 a database failure on the fast path is internal and logged, without a second attempt', async () => {
    let pushes = 0;
    server = await TestServer.start({
      wrapStorage: (s) => ({
        ...s,
        push: async (...args) => {
          pushes += 1;
          if (args[2]?.expectPersonal) {
            throw new StorageError('Database', { detail: 'connection reset' });
          }
          return s.push(...args);
        },
      }),
    });
    const alice = server.user();
    const c = await server.connect(alice);
    expect(await c.call('push', { space: alice.personalSpaceId, changes: change() })).toEqual({
      ok: false,
      error: 'internal',
    });
    expect(pushes).toBe(1);
    expect(server.logged('push failed')).toBeDefined();
  });
});
