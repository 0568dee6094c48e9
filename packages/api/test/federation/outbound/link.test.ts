import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { verifyHttpSignature } from '@less-sync/auth';
import { decode, encode } from 'cborg';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  FederationCallError,
  FederationPeerManager,
  type PeerTarget,
  peerTarget,
} from '../../../src/index.js';
import { PeerKey } from '../peer.js';
import { type Pair, startPair } from './pair.js';

let pair: Pair | undefined;
let mock: ScriptedPeer | undefined;
let manager: FederationPeerManager | undefined;
afterEach(async () => {
  manager?.close();
  manager = undefined;
  await pair?.close();
  pair = undefined;
  await mock?.close();
  mock = undefined;
});

const change = () => ({ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 });

async function until(check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Frame = { type: number; id?: string; method?: string; params?: Record<string, unknown> };

/** A federation peer whose answers each test scripts; it records upgrade requests and frames. */
class ScriptedPeer {
  readonly upgrades: IncomingMessage[] = [];
  readonly frames: Frame[] = [];
  readonly sockets: WebSocket[] = [];
  answer: (frame: Frame, ws: WebSocket) => void = () => {};

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req) => {
      this.upgrades.push(req);
      this.sockets.push(ws);
      ws.on('message', (data: Buffer) => {
        const frame = decode(data) as Frame;
        this.frames.push(frame);
        this.answer(frame, ws);
      });
    });
  }

  static async start(protocol: string | false = 'less-rpc-v1'): Promise<ScriptedPeer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => protocol });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new ScriptedPeer(wss);
  }

  get target(): PeerTarget {
    const address = this.wss.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return peerTarget(`127.0.0.1:${port}`);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

const send = (ws: WebSocket, frame: Record<string, unknown>) => ws.send(encode(frame));

function managerFor(key = new PeerKey('b.fed.test', 'fed-b'), callTimeoutMs = 2000): FederationPeerManager {
  manager = new FederationPeerManager({
    signer: { keyId: key.keyId, privateKey: key.privateKey },
    config: { callTimeoutMs, backoff: { initialMs: 20, maxMs: 200 } },
  });
  return manager;
}

describe('outbound peer link (FED-PEER-02..09, B7, B8, B15)', () => {
  it('FED-PEER-03 R16 the upgrade is signed for exactly the URL dialled, with less-rpc-v1, once per socket', async () => {
    mock = await ScriptedPeer.start();
    const key = new PeerKey('b.fed.test', 'fed-b');
    const m = managerFor(key);
    mock.answer = (f, ws) => send(ws, { type: 1, id: f.id, result: { ok: true, cursor: 3 } });
    const target = mock.target;
    expect(target.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/v1\/federation\/ws$/);
    const push = { space: randomUUID(), ucan: 'u', changes: [] };
    expect(await m.forwardPush(target, push)).toMatchObject({ ok: true, cursor: 3 });
    expect(await m.forwardPush(target, push)).toMatchObject({ ok: true, cursor: 3 });
    expect(mock.upgrades).toHaveLength(1);
    const req = mock.upgrades[0] as IncomingMessage;
    expect(req.headers['sec-websocket-protocol']).toBe('less-rpc-v1');
    const url = `ws://${req.headers.host}${req.url}`;
    expect(url).toBe(target.url);
    const params = await verifyHttpSignature(
      { method: 'GET', url, headers: req.headers as Record<string, string> },
      () => key.publicKey,
      { targetUriSchemes: ['ws'] },
    );
    expect(params.keyId).toBe(key.keyId);
    expect(mock.frames.map((f) => f.id)).toEqual(['fed-1', 'fed-2']);
  });

  it('FED-PEER-04 calls are pipelined: answers and chunks match by request id, strays and notifications are ignored', async () => {
    mock = await ScriptedPeer.start();
    const m = managerFor();
    let pullId = '';
    mock.answer = (f, ws) => {
      if (f.method === 'pull') {
        pullId = f.id ?? '';
        return;
      }
      // The pull is still open: answer the push first, with noise around it.
      ws.send(Uint8Array.of(0xf6));
      send(ws, { type: 3, id: 'fed-999', name: 'pull.record', data: { stray: true } });
      send(ws, { type: 1, id: 'fed-998', result: { ok: false } });
      send(ws, { type: 2, method: 'presence', params: { space: 'x' } });
      send(ws, { type: 3, id: pullId, name: 'pull.begin', data: { space: 's', cursor: 7 } });
      send(ws, { type: 1, id: f.id, result: { ok: true, cursor: 9 } });
      send(ws, { type: 3, id: pullId, name: 'pull.commit', data: { space: 's', count: 0 } });
      send(ws, { type: 1, id: pullId, result: { _chunks: 2 } });
    };
    const target = mock.target;
    const pull = m.pull(target, [{ id: randomUUID(), since: 0, ucan: 'u' }]);
    await until(() => pullId !== '');
    const pushed = await m.forwardPush(target, { space: randomUUID(), ucan: 'u', changes: [] });
    expect(pushed).toMatchObject({ ok: true, cursor: 9 });
    expect(await pull).toEqual([
      { name: 'pull.begin', data: { space: 's', cursor: 7 } },
      { name: 'pull.commit', data: { space: 's', count: 0 } },
    ]);
  });

  it('B7 FED-PEER-05 an error answer fails only that call; the socket stays and the next call uses it', async () => {
    mock = await ScriptedPeer.start();
    const m = managerFor();
    mock.answer = (f, ws) => {
      if (f.method === 'fed.invitation') {
        send(ws, { type: 1, id: f.id, result: { ok: f.params?.payload === 'yes' } });
        return;
      }
      send(ws, { type: 1, id: f.id, error: { code: 'rate_limited', message: 'record push quota exceeded' } });
    };
    const target = mock.target;
    const err = await m.forwardPush(target, { space: randomUUID(), ucan: 'u', changes: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(FederationCallError);
    expect(err).toMatchObject({
      kind: 'remote',
      code: 'rate_limited',
      message: 'record push quota exceeded',
    });
    // FED-PEER-08: fed.invitation params; {ok:false} is a rejection.
    await m.forwardInvitation(target, { mailboxId: 'a'.repeat(64), payload: 'yes' });
    await expect(m.forwardInvitation(target, { mailboxId: 'a'.repeat(64), payload: 'no' })).rejects.toThrow(
      /rejected federation invitation/,
    );
    expect(mock.frames.at(-1)?.params).toEqual({ mailbox_id: 'a'.repeat(64), payload: 'no' });
    expect(mock.upgrades).toHaveLength(1);
    expect(m.status()[0]).toMatchObject({ state: 'connected', pendingCalls: 0 });
  });

  it('B8 a silent peer fails each call at its deadline with internal "home server did not answer in time"', async () => {
    mock = await ScriptedPeer.start();
    const m = managerFor(undefined, 300);
    const target = mock.target;
    const err = await m.forwardPush(target, { space: randomUUID(), ucan: 'u', changes: [] }).catch((e) => e);
    expect(err).toMatchObject({
      kind: 'timeout',
      code: 'internal',
      message: 'home server did not answer in time',
    });
    expect(m.status()[0]).toMatchObject({ lastError: 'home server did not answer in time', pendingCalls: 0 });
    // The socket is still usable once the peer answers again.
    mock.answer = (f, ws) => send(ws, { type: 1, id: f.id, result: { spaces: [] } });
    expect(await m.subscribe(target, [])).toEqual({ errors: [] });
    expect(
      await m.subscribe(target, [{ id: randomUUID(), since: 0, ucan: 'u', token: '', presence: false }]),
    ).toEqual({
      errors: [],
    });
  });

  it('FED-PEER-03 a refused or wrong-protocol handshake and an unreachable peer are unavailable errors', async () => {
    mock = await ScriptedPeer.start(false);
    const m = managerFor();
    await expect(
      m.forwardPush(mock.target, { space: randomUUID(), ucan: 'u', changes: [] }),
    ).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'internal',
    });
    const closedPort = peerTarget('127.0.0.1:1');
    await expect(m.pull(closedPort, [])).rejects.toMatchObject({ kind: 'unavailable' });
    expect(m.status().map((s) => s.state)).toEqual(['idle', 'idle']);
  });

  it('FED-PEER-06 a subscribe result that does not decode is an error, not a silent success (B6)', async () => {
    mock = await ScriptedPeer.start();
    const m = managerFor();
    mock.answer = (f, ws) => send(ws, { type: 1, id: f.id, result: { nope: 1 } });
    await expect(
      m.subscribe(mock.target, [{ id: randomUUID(), since: 0, ucan: 'u', token: '', presence: false }]),
    ).rejects.toMatchObject({ kind: 'protocol' });
    expect(m.status()[0]?.subscriptions).toBe(0);
  });

  it('B15 FED-PEER-02 the URL is re-derived per call and a configured URL wins', async () => {
    mock = await ScriptedPeer.start();
    mock.answer = (f, ws) => send(ws, { type: 1, id: f.id, result: { ok: true } });
    const key = new PeerKey('b.fed.test', 'fed-b');
    manager = new FederationPeerManager({
      signer: { keyId: key.keyId, privateKey: key.privateKey },
      config: { peerUrls: { 'home.example': mock.target.url } },
    });
    await manager.forwardInvitation(
      { domain: 'home.example', url: 'wss://home.example/api/v1/federation/ws' },
      { mailboxId: 'b'.repeat(64), payload: 'p' },
    );
    expect(manager.status()[0]).toMatchObject({ domain: 'home.example', url: mock.target.url });
    manager.close();
    manager = managerFor();
    const first = { domain: 'moved.example', url: 'ws://127.0.0.1:1/api/v1/federation/ws' };
    await expect(manager.pull(first, [])).rejects.toMatchObject({ kind: 'unavailable' });
    await manager.forwardInvitation(
      { ...first, url: mock.target.url },
      { mailboxId: 'c'.repeat(64), payload: 'p' },
    );
    expect(manager.status()[0]?.url).toBe(mock.target.url);
  });

  it('FED-PEER-09 close drops every link with a Close frame; later calls fail as unavailable', async () => {
    pair = await startPair();
    const { origin, events } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    await c1.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.root.issue({ audience: b1.key.did, space: space.id }) }],
    });
    pair.manager.close();
    await until(() => events.closed.length === 1);
    expect(pair.manager.status()).toEqual([]);
    await expect(pair.manager.pull(peerTarget(pair.homeServer), [])).rejects.toMatchObject({
      kind: 'unavailable',
    });
  });
});

describe('reconnect, restore and renewal through a relay (FED-PEER-05..07, B8)', () => {
  it('FED-PEER-07 after the link drops, B reconnects with backoff and restores its subscriptions by itself', async () => {
    pair = await startPair({ relay: true });
    const { home, origin, events, relay } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const a1 = home.user('a1');
    const [c1, ca] = [await origin.connect(b1), await home.connect(a1)];
    await c1.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.root.issue({ audience: b1.key.did, space: space.id }) }],
    });
    relay?.cut();
    await until(() => events.closed.length === 1 && events.opened.length === 2);
    await until(async () => (await home.federation?.context.quota.peerStatus('b.fed.test'))?.spaces === 1);
    expect(pair.manager.status()[0]).toMatchObject({ state: 'connected', reconnects: 1, subscriptions: 1 });
    const ucan = space.root.issue({ audience: a1.key.did, space: space.id });
    expect(await ca.call('push', { space: space.id, ucan, changes: [change()] })).toEqual({
      ok: true,
      cursor: 1,
    });
    expect((await c1.nextNotification('sync')).params).toMatchObject({ space: space.id, cursor: 1 });
  });

  it('FED-PEER-07 R8 a space the home refuses on restore ends the local subscription with revoked', async () => {
    pair = await startPair({ relay: true });
    const { home, origin, events, relay } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    await c1.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.root.issue({ audience: b1.key.did, space: space.id }) }],
    });
    await home.query('DELETE FROM spaces WHERE id = $1', [space.id]);
    relay?.cut();
    await until(() => events.opened.length === 2);
    const revoked = await c1.nextNotification('revoked');
    expect(revoked.params).toMatchObject({ space: space.id });
    expect(origin.services.sessions.grants(origin.connectionIds()[0] ?? '').has(space.id)).toBe(false);
    await until(() => pair?.manager.status()[0]?.subscriptions === 0);
  });

  it('B8 a peer that stops answering: the forwarded calls fail with internal at the deadline; local calls sent after them are answered first', async () => {
    pair = await startPair({ relay: true, manager: { callTimeoutMs: 1500 } });
    const { origin, relay } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    const ucan = space.root.issue({ audience: b1.key.did, space: space.id });
    await c1.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    if (relay !== undefined) relay.silent = true;
    const order: string[] = [];
    const track = <T>(name: string, reply: Promise<T>) =>
      reply.then((r) => {
        order.push(name);
        return r;
      });
    // Pipelined on one connection: two forwarded calls, then local calls on the personal space.
    const push = track('push', c1.request('push', { space: space.id, ucan, changes: [change()] }));
    const pull = track('pull', c1.request('pull', { spaces: [{ id: space.id, since: 0, ucan }] }));
    const local = track('local', c1.request('subscribe', { spaces: [{ id: b1.personalSpaceId, since: 0 }] }));
    const own = track('own push', c1.request('push', { space: b1.personalSpaceId, changes: [change()] }));
    const ownPull = track('own pull', c1.request('pull', { spaces: [{ id: b1.personalSpaceId, since: 0 }] }));
    expect((await local).result?.spaces).toEqual([{ id: b1.personalSpaceId, cursor: 0, key_generation: 1 }]);
    expect((await own).result).toEqual({ ok: true, cursor: 1 });
    expect((await ownPull).chunks.map((c) => c.name)).toEqual(['pull.begin', 'pull.record', 'pull.commit']);
    expect((await push).result).toEqual({ ok: false, error: 'internal' });
    expect((await pull).error).toEqual({ code: 'internal', message: 'home server did not answer in time' });
    // The local calls did not wait for the silent home; they kept their own order.
    expect(order).toEqual(['local', 'own push', 'own pull', 'push', 'pull']);
  });

  it('B8 FED-PEER-04 a forwarded push then pull of one remote space, pipelined, still run in order at the home', async () => {
    pair = await startPair();
    const { origin } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    const ucan = space.root.issue({ audience: b1.key.did, space: space.id });
    const written = change();
    const push = c1.request('push', { space: space.id, ucan, changes: [written] });
    const pull = c1.request('pull', { spaces: [{ id: space.id, since: 0, ucan }] });
    expect((await push).result).toEqual({ ok: true, cursor: 1 });
    const records = (await pull).chunks.filter((c) => c.name === 'pull.record');
    expect(records.map((c) => (c.data as { id: string }).id)).toEqual([written.id]);
  });

  it('FED-PEER-07 FST renewal: a token close to expiry is renewed with the subscriber UCAN, once per expiry', async () => {
    pair = await startPair({ manager: { renewBeforeMs: 3_600_000 } });
    const { home, origin, events } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    await c1.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.root.issue({ audience: b1.key.did, space: space.id }) }],
    });
    const subscribes = () => events.calls.filter((c) => c.startsWith('subscribe')).length;
    expect(subscribes()).toBe(1);
    await until(() => subscribes() === 2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(subscribes()).toBe(2);
    expect((await home.federation?.context.quota.peerStatus('b.fed.test'))?.spaces).toBe(1);
  });

  it('FED-RPC-13 invitation.create with server reaches the trusted home mailbox; nothing is stored locally', async () => {
    pair = await startPair();
    const { home, origin } = pair;
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    const mailbox = randomBytes(32).toString('hex');
    const server = pair.homeServer.replace('http://', '');
    const result = await c1.call('invitation.create', { mailbox_id: mailbox, payload: 'sealed', server });
    expect(result).toEqual({ id: 'forwarded', payload: 'sealed', created_at: '', expires_at: '' });
    expect(await home.query('SELECT mailbox_id FROM invitations')).toEqual([{ mailbox_id: mailbox }]);
    expect(await origin.query('SELECT id FROM invitations')).toEqual([]);
  });
});
