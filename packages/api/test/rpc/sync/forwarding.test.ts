import { randomUUID } from 'node:crypto';
import type { PullParams, PushParams, PushRpcResultInit, WsSubscribeSpace } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  FederationForwarder,
  PeerTarget,
  RemoteChunk,
  RemoteSubscribeOutcome,
} from '../../../src/index.js';
import { TestServer } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const PEER: PeerTarget = { domain: 'peer.example.com', url: 'wss://peer.example.com/api/v1/federation/ws' };

/** Records every call; each method's behaviour is replaceable per test. */
class StubForwarder implements FederationForwarder {
  readonly calls: Array<[string, PeerTarget, unknown]> = [];
  subscribeImpl = async (): Promise<RemoteSubscribeOutcome | undefined> => undefined;
  pushResults: Array<PushRpcResultInit | Error> = [{ ok: true, cursor: 901 }];
  pullImpl = async (): Promise<readonly RemoteChunk[]> => [];

  async subscribe(
    peer: PeerTarget,
    spaces: readonly WsSubscribeSpace[],
  ): Promise<RemoteSubscribeOutcome | undefined> {
    this.calls.push(['subscribe', peer, spaces]);
    return this.subscribeImpl();
  }
  async forwardPush(peer: PeerTarget, params: PushParams): Promise<PushRpcResultInit> {
    this.calls.push(['push', peer, params]);
    const next = this.pushResults.shift() ?? new Error('no more results');
    if (next instanceof Error) throw next;
    return next;
  }
  async pull(peer: PeerTarget, spaces: PullParams['spaces']): Promise<readonly RemoteChunk[]> {
    this.calls.push(['pull', peer, spaces]);
    return this.pullImpl();
  }
  async restoreSubscriptions(peer: PeerTarget): Promise<void> {
    this.calls.push(['restore', peer, undefined]);
    throw new Error('restore failures are ignored');
  }
  async forwardInvitation(): Promise<void> {}
}

async function remoteSpace(s: TestServer, homeServer = 'peer.example.com') {
  const space = await s.sharedSpace();
  await s.storage.setSpaceHomeServer(space.id, homeServer);
  return space;
}

describe('federation forwarding hooks (RPC-SUB-2, RPC-PUSH-2, RPC-PULL-3)', () => {
  it('RPC-SUB-2 websocket_subscribe_forwards_to_space_home_server and subscribes locally', async () => {
    const forwarder = new StubForwarder();
    server = await TestServer.start({ federation: forwarder });
    const alice = server.user();
    const space = await remoteSpace(server);
    const c = await server.connect(alice);
    const entry = { id: space.id, since: 5, ucan: space.grant(alice, '/space/read') };
    const result = await c.call('subscribe', { spaces: [entry] });
    expect(result).toEqual({ spaces: [{ id: space.id, cursor: 0, key_generation: 1 }] });
    expect(forwarder.calls).toEqual([['subscribe', PEER, [{ ...entry, token: '', presence: false }]]]);
    expect(server.services.sessions.grants(server.connectionIds()[0] ?? '').has(space.id)).toBe(true);
  });

  it('RPC-SUB-2 websocket_subscribe_remote_forward_failure_does_not_block_local_space', async () => {
    const forwarder = new StubForwarder();
    forwarder.subscribeImpl = async () => {
      throw new Error('peer down');
    };
    server = await TestServer.start({ federation: forwarder });
    const alice = server.user();
    const space = await remoteSpace(server);
    const c = await server.connect(alice);
    const result = await c.call('subscribe', {
      spaces: [
        { id: space.id, since: 0, ucan: space.grant(alice, '/space/read') },
        { id: alice.personalSpaceId, since: 0 },
      ],
    });
    expect(result).toEqual({
      spaces: [{ id: alice.personalSpaceId, cursor: 0, key_generation: 1 }],
      errors: [{ space: space.id, error: 'internal' }],
    });
    expect(server.services.sessions.grants(server.connectionIds()[0] ?? '').has(space.id)).toBe(false);
  });

  it('RPC-PUSH-2 websocket_push_forwards_to_space_home_server: the remote result verbatim, nothing local', async () => {
    const forwarder = new StubForwarder();
    server = await TestServer.start({ federation: forwarder });
    const alice = server.user();
    const space = await remoteSpace(server, 'https://PEER.example.com:443/');
    const reader = await server.connect(alice);
    await reader.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.grant(alice, '/space/read') }],
    });
    const c = await server.connect(alice);
    const params = {
      space: space.id,
      ucan: space.grant(alice),
      changes: [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }],
    };
    expect(await c.call('push', params)).toEqual({ ok: true, cursor: 901 });
    const forwarded = forwarder.calls.filter((call) => call[0] === 'push');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]?.[1]).toEqual({
      domain: 'peer.example.com',
      url: 'wss://peer.example.com/api/v1/federation/ws',
    });
    expect((forwarded[0]?.[2] as PushParams | undefined)?.changes[0]?.id).toBe(params.changes[0]?.id);
    expect(await server.query('SELECT id FROM records')).toEqual([]);
    await reader.expectNoNotification('sync', 200);
  });

  it('RPC-PUSH-2 websocket_push_restores_remote_subscriptions_after_transient_forward_error (one retry only)', async () => {
    const forwarder = new StubForwarder();
    forwarder.pushResults = [new Error('socket closed'), { ok: false, error: 'conflict' }];
    server = await TestServer.start({ federation: forwarder });
    const alice = server.user();
    const space = await remoteSpace(server);
    const c = await server.connect(alice);
    const params = { space: space.id, ucan: space.grant(alice), changes: [] };
    expect(await c.call('push', params)).toEqual({ ok: false, error: 'conflict' });
    expect(forwarder.calls.map((call) => call[0])).toEqual(['push', 'restore', 'push']);
    forwarder.pushResults = [new Error('down'), new Error('still down')];
    expect(await c.call('push', params)).toEqual({ ok: false, error: 'internal' });
  });

  it('RPC-PULL-3 websocket_pull_forwards_to_space_home_server_and_streams_remote_chunks', async () => {
    const forwarder = new StubForwarder();
    const remote: RemoteChunk[] = [
      { name: 'pull.begin', data: { space: 'x', prev: 0, cursor: 9, key_generation: 2 } },
      { name: 'pull.record', data: { space: 'x', id: 'r', cursor: 9, extra: [1, 2] } },
      { name: 'pull.commit', data: { space: 'x', prev: 0, cursor: 9, count: 1 } },
    ];
    forwarder.pullImpl = async () => remote;
    server = await TestServer.start({ federation: forwarder });
    const alice = server.user();
    const space = await remoteSpace(server);
    const c = await server.connect(alice);
    const entry = { id: space.id, since: 0, ucan: space.grant(alice, '/space/read') };
    const reply = await c.request('pull', { spaces: [entry, { id: alice.personalSpaceId, since: 0 }] });
    expect(reply.chunks.slice(0, 3)).toEqual(remote);
    expect(reply.chunks.slice(3).map((ch) => ch.name)).toEqual(['pull.begin', 'pull.commit']);
    expect(reply.result).toEqual({ _chunks: 5 });
    expect(forwarder.calls).toEqual([['pull', PEER, [entry]]]);
  });

  it('RPC-PULL-3 websocket_pull_remote_forward_failure_skips_space', async () => {
    const forwarder = new StubForwarder();
    forwarder.pullImpl = async () => {
      throw new Error('peer down');
    };
    server = await TestServer.start({ federation: forwarder });
    const alice = server.user();
    const space = await remoteSpace(server);
    const c = await server.connect(alice);
    const reply = await c.request('pull', { spaces: [{ id: space.id, since: 0, ucan: space.grant(alice) }] });
    expect(reply.chunks).toEqual([]);
    expect(reply.result).toEqual({ _chunks: 0 });
  });

  it('FED-RPC-11 without federation a remote space is an error, never a silent local write (B3 fixed)', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const space = await remoteSpace(server);
    const c = await server.connect(alice);
    const sub = await c.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: space.grant(alice) }] });
    expect(sub.errors).toEqual([{ space: space.id, error: 'internal' }]);
    const push = await c.call('push', {
      space: space.id,
      ucan: space.grant(alice),
      changes: [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }],
    });
    expect(push).toEqual({ ok: false, error: 'internal' });
    const pull = await c.request('pull', { spaces: [{ id: space.id, since: 0, ucan: space.grant(alice) }] });
    expect(pull.result).toEqual({ _chunks: 0 });
    expect(await server.query('SELECT id FROM records')).toEqual([]);
    expect(server.logs.filter((l) => l.message === 'remote space but federation is off')).toHaveLength(3);
  });

  it('a home server naming this server itself is served locally', async () => {
    const forwarder = new StubForwarder();
    server = await TestServer.start({
      federation: forwarder,
      config: { localDomains: ['sync.example.org'] },
    });
    const alice = server.user();
    const space = await remoteSpace(server, 'https://SYNC.example.org/');
    const c = await server.connect(alice);
    const push = await c.call('push', {
      space: space.id,
      ucan: space.grant(alice),
      changes: [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }],
    });
    expect(push).toEqual({ ok: true, cursor: 1 });
    expect(forwarder.calls).toEqual([]);
  });
});
