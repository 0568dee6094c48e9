import { afterEach, describe, expect, it, vi } from 'vitest';
import { federationIdentity, InMemoryFederationQuota } from '../../src/index.js';
import type { TestClient, TestServer } from '../harness/index.js';
import { connectPeer, DEFAULT_LIMITS, PeerKey, startHome, upgrade } from './peer.js';

// Starting a home server migrates a fresh schema; under load that can take a while.
vi.setConfig({ testTimeout: 90_000 });

let server: TestServer | undefined;
const peers: TestClient[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await server?.close();
  server = undefined;
});

async function home(options: Parameters<typeof startHome>[0] = {}) {
  const started = await startHome(options);
  server = started.server;
  return started;
}

const refusals = (s: TestServer) => s.logs.filter((l) => l.message.startsWith('federation upgrade refused'));

describe('FED-WS-01..05 federation upgrade authentication', () => {
  it('FED-WS-01 websocket_federation_route_rejects_missing_subprotocol (400, empty, before the signature)', async () => {
    const key = new PeerKey();
    const { fedUrl } = await home({ peers: [key] });
    const answer = await upgrade(fedUrl, { ...key.sign(fedUrl), 'Sec-WebSocket-Protocol': 'other-proto' });
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('');
  });

  it('FED-WS-03 websocket_federation_route_requires_signature: unsigned → 401, logged with the failed check', async () => {
    const { fedUrl, events } = await home();
    const answer = await upgrade(fedUrl, { 'Sec-WebSocket-Protocol': 'less-rpc-v1' });
    expect(answer.status).toBe(401);
    expect(answer.body).toBe('signature verification failed');
    expect(events.signatures).toEqual(['missing_headers']);
    expect(refusals(server!)[0]?.fields.check).toBe('missing_headers');
  });

  it('FED-WS-03/04 authenticate_request_accepts_trusted_signed_peer: a signed upgrade is 101 with no auth frame', async () => {
    const key = new PeerKey();
    const { fedUrl, events } = await home({ peers: [key] });
    const answer = await upgrade(fedUrl, { ...key.sign(fedUrl), 'Sec-WebSocket-Protocol': 'less-rpc-v1' });
    expect(answer.status).toBe(101);
    const peer = await connectPeer(fedUrl, key);
    peers.push(peer);
    expect((await peer.call('subscribe', { spaces: [] })).spaces).toEqual([]);
    expect(events.opened).toContain('peer.example.com');
  });

  it('FED-WS-03 http_signature_rejects_expired: a created 301 s old (or ahead) is 401 "stale"', async () => {
    const key = new PeerKey();
    const { fedUrl, events } = await home({ peers: [key] });
    const old = await upgrade(fedUrl, {
      ...key.sign(fedUrl, Date.now() - 301_000),
      'Sec-WebSocket-Protocol': 'less-rpc-v1',
    });
    const ahead = await upgrade(fedUrl, {
      ...key.sign(fedUrl, Date.now() + 301_000),
      'Sec-WebSocket-Protocol': 'less-rpc-v1',
    });
    expect([old.status, ahead.status]).toEqual([401, 401]);
    expect(events.signatures).toEqual(['stale', 'stale']);
  });

  it('FED-WS-04 an unknown keyid is 401 (no key fetch), a wrong key 401, malformed headers 401', async () => {
    const trusted = new PeerKey();
    const { fedUrl, events } = await home({ peers: [trusted] });
    const stranger = new PeerKey('peer.example.com', 'other');
    const forged = new PeerKey('peer.example.com', 'fed-1'); // same keyid, different key
    const proto = { 'Sec-WebSocket-Protocol': 'less-rpc-v1' };
    expect((await upgrade(fedUrl, { ...stranger.sign(fedUrl), ...proto })).status).toBe(401);
    expect((await upgrade(fedUrl, { ...forged.sign(fedUrl), ...proto })).status).toBe(401);
    const good = trusted.sign(fedUrl);
    const garbage = await upgrade(fedUrl, { ...good, 'Signature-Input': 'nonsense', ...proto });
    const badSig = await upgrade(fedUrl, { ...good, Signature: 'sig=:AAAA:', ...proto });
    expect([garbage.status, badSig.status]).toEqual([401, 401]);
    expect(events.signatures).toEqual(['unknown_key', 'bad_signature', 'malformed', 'malformed']);
  });

  it('FED-WS-02/03 http_signature_rejects_tampered_host: a signature for another host is 401', async () => {
    const key = new PeerKey();
    const { fedUrl } = await home({ peers: [key] });
    const elsewhere = fedUrl.replace('127.0.0.1', 'localhost');
    const answer = await upgrade(fedUrl, { ...key.sign(elsewhere), 'Sec-WebSocket-Protocol': 'less-rpc-v1' });
    expect(answer.status).toBe(401);
  });

  it('FED-WS-05 authenticate_request_rejects_untrusted_peer: a verified key of an untrusted domain is 403', async () => {
    const evil = new PeerKey('evil.example');
    const { fedUrl, events } = await home({
      peers: [new PeerKey(), evil],
      trustedDomains: ['peer.example.com'],
    });
    const answer = await upgrade(fedUrl, { ...evil.sign(fedUrl), 'Sec-WebSocket-Protocol': 'less-rpc-v1' });
    expect(answer.status).toBe(403);
    expect(answer.body).toBe('untrusted peer');
    expect(events.signatures).toEqual(['untrusted_domain']);
  });

  it('R16 a signature over wss:// (TLS peer) or over the configured public URL verifies', async () => {
    const key = new PeerKey();
    const { fedUrl } = await home({ peers: [key], publicUrls: ['https://sync.example.com'] });
    const host = new URL(fedUrl).host;
    const overTls = fedUrl.replace('ws://', 'wss://');
    const tls = await upgrade(fedUrl, { ...key.sign(overTls), 'Sec-WebSocket-Protocol': 'less-rpc-v1' });
    expect(tls.status).toBe(101);
    const publicTarget = 'wss://sync.example.com/api/v1/federation/ws';
    const { signHttpRequest } = await import('@less-sync/auth');
    const headers = signHttpRequest(
      { method: 'GET', url: publicTarget, headers: { host } },
      key.privateKey,
      key.keyId,
    );
    const viaPublic = await upgrade(fedUrl, { ...headers, 'Sec-WebSocket-Protocol': 'less-rpc-v1' });
    expect(viaPublic.status).toBe(101);
    const elsewhere = signHttpRequest(
      { method: 'GET', url: 'wss://other.example.com/api/v1/federation/ws', headers: { host } },
      key.privateKey,
      key.keyId,
    );
    expect((await upgrade(fedUrl, { ...elsewhere, 'Sec-WebSocket-Protocol': 'less-rpc-v1' })).status).toBe(
      401,
    );
  });

  it('R1 the betterbase-rpc-v1 alias is accepted on the federation route too', async () => {
    const key = new PeerKey();
    const { fedUrl } = await home({ peers: [key] });
    const peer = await connectPeer(fedUrl, key, 'betterbase-rpc-v1');
    peers.push(peer);
    expect(peer.ws.protocol).toBe('betterbase-rpc-v1');
  });
});

describe('FED-WS-06..08 peer identity, connection quota, session rules', () => {
  it('FED-WS-06 the synthetic identity: federation:<d>, did:web:<d>, UUIDv5 personal space', () => {
    const id = federationIdentity('peer.example.com', 'https://peer.example.com/.well-known/jwks.json#k');
    expect(id.userId).toBe('federation:peer.example.com');
    expect(id.did).toBe('did:web:peer.example.com');
    expect(id.personalSpaceId).toBe('d01b5632-a05c-5859-85af-01b290925014');
    expect(id.mailboxId.startsWith('federation:peer.example.com#')).toBe(true);
  });

  it('FED-WS-07 websocket_federation_route_enforces_connection_quota: 101 then 4003, slot freed on close', async () => {
    const key = new PeerKey();
    const { fedUrl, events } = await home({ peers: [key], limits: { maxConnections: 2 } });
    const a = await connectPeer(fedUrl, key);
    const b = await connectPeer(fedUrl, key);
    await a.call('subscribe', { spaces: [] });
    await b.call('subscribe', { spaces: [] });
    const c = await connectPeer(fedUrl, key);
    expect(await c.waitClosed()).toEqual({ code: 4003, reason: 'too many federation connections' });
    expect(events.quota).toEqual(['connections']);
    await a.close();
    await expect.poll(() => events.closed.length).toBe(1);
    const d = await connectPeer(fedUrl, key);
    peers.push(b, d);
    expect((await d.call('subscribe', { spaces: [] })).spaces).toEqual([]);
  });

  it('FED-WS-07 FED-QUOTA-02 a socket that closes while its slot is being taken gives the slot back', async () => {
    const key = new PeerKey();
    // A quota whose answer is slow (a shared one is a database round trip): the socket ends first.
    const quota = new InMemoryFederationQuota({ ...DEFAULT_LIMITS, maxConnections: 1 });
    let answer: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const slow = Object.assign(Object.create(quota) as InMemoryFederationQuota, {
      tryAddConnection: async (domain: string) => {
        const taken = await quota.tryAddConnection(domain);
        await gate;
        return taken;
      },
    });
    const { fedUrl, events } = await home({ peers: [key], extra: { quota: slow } });
    const early = await connectPeer(fedUrl, key);
    await vi.waitFor(async () => expect((await quota.peerStatus(key.domain)).connections).toBe(1));
    await early.close();
    // Let the server finish that socket's teardown before the quota answers.
    await new Promise((resolve) => setTimeout(resolve, 200));
    answer();
    await expect.poll(async () => (await quota.peerStatus(key.domain)).connections).toBe(0);
    expect(events.opened).toEqual([]);
    const next = await connectPeer(fedUrl, key);
    peers.push(next);
    expect((await next.call('subscribe', { spaces: [] })).spaces).toEqual([]);
  });

  it('FED-WS-07 B12 peer sockets are not capped by the per-mailbox client limit (3)', async () => {
    const key = new PeerKey();
    const { fedUrl } = await home({
      peers: [key],
      limits: { maxConnections: 5 },
      maxConnectionsPerMailbox: 3,
    });
    for (let i = 0; i < 5; i++) peers.push(await connectPeer(fedUrl, key));
    for (const p of peers) expect((await p.call('subscribe', { spaces: [] })).spaces).toEqual([]);
  });

  it('FED-RPC-02 websocket_federation_route_rejects_client_only_methods; auth frames are ignored', async () => {
    const key = new PeerKey();
    const { fedUrl } = await home({ peers: [key] });
    const peer = await connectPeer(fedUrl, key);
    peers.push(peer);
    peer.notify('auth', { token: 'x' });
    for (const method of [
      'token.refresh',
      'space.create',
      'membership.append',
      'invitation.list',
      'epoch.begin',
      'deks.get',
    ]) {
      const reply = await peer.request(method, {});
      expect(reply.error).toEqual({ code: 'method_not_found', message: `unknown method: ${method}` });
    }
    expect(peer.isOpen).toBe(true);
  });

  it('FED-WS-08 a text frame closes 4005; an undecodable request is invalid_params and the socket stays', async () => {
    const key = new PeerKey();
    const { fedUrl } = await home({ peers: [key] });
    const peer = await connectPeer(fedUrl, key);
    peers.push(peer);
    const bad = await peer.request('subscribe', { spaces: 'nope' });
    expect(bad.error).toEqual({ code: 'invalid_params', message: 'invalid subscribe params' });
    const inv = await peer.request('fed.invitation', {});
    expect(inv.error).toEqual({ code: 'invalid_params', message: 'invalid params' });
    peer.sendRaw('hello');
    expect(await peer.waitClosed()).toEqual({ code: 4005, reason: 'expected binary rpc frame' });
  });

  it('FED-WS-08 the lifetime ends a peer socket with 4001 and FED-WS-07 its slot and spaces are released', async () => {
    const key = new PeerKey();
    const { fedUrl, server: s } = await home({
      peers: [key],
      extra: { connection: { maxLifetimeMs: 300, lifetimeJitter: 0, keepaliveIntervalMs: 0 } },
    });
    const peer = await connectPeer(fedUrl, key);
    peers.push(peer);
    const space = await s.sharedSpace();
    const ucan = space.root.issue({
      audience: 'did:web:peer.example.com',
      space: space.id,
      cmd: '/space/read',
    });
    await peer.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    expect(await peer.waitClosed()).toEqual({ code: 4001, reason: 'connection timeout' });
    const info = s.federation!.httpInfo();
    await expect.poll(async () => (await info.peerStatus('peer.example.com')).connections).toBe(0);
    expect((await info.peerStatus('peer.example.com')).spaces).toBe(0);
  });
});
