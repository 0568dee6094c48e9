/**
 * Two-server federation suite through TLS (R16, FED-PEER-02, FED-PEER-03): A sits behind a TLS-terminating
 * loopback proxy with a self-signed certificate made here; A's PUBLIC_URL is the proxy's https:// URL; B
 * trusts the certificate only through its CA variable and dials wss://, signing what it dials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../child.js';
import { params } from './client.js';
import { type Pair, startPair } from './pair.js';
import { change, closeClients, seedSharedSpace, sleep } from './spaces.js';
import { buildAll, killServer, metric, postgresReachable, type Server, startServer } from './support.js';
import { type Certificate, selfSignedCertificate, startTlsProxy, type TlsProxy } from './tls.js';

const reachable = await postgresReachable('federation');
let pair: Pair;
let cert: Certificate;
let proxy: TlsProxy;
let publicUrl: string;
const extra: { stop(): Promise<void> | void }[] = [];

beforeAll(async () => {
  if (!reachable) return;
  buildAll();
  cert = selfSignedCertificate();
  const portA = await freePort();
  proxy = await startTlsProxy(cert, portA);
  publicUrl = `https://localhost:${proxy.port}`;
  pair = await startPair({
    portA,
    envA: { PUBLIC_URL: publicUrl },
    envB: () => ({ FEDERATION_CA_FILE: cert.certFile }),
  });
}, 300_000);

afterAll(async () => {
  closeClients();
  if (!reachable) return;
  for (const e of extra.reverse()) await e.stop();
  await pair?.stop();
  await proxy?.close();
  cert?.remove();
});

describe.skipIf(!reachable)('two servers over TLS', () => {
  it('R16 FED-PEER-03 forwarded subscribe and push work through wss:// with the CA from configuration', async () => {
    const space = await seedSharedSpace(pair, { homeServer: publicUrl });
    const pusher = await space.member(pair.b);
    const watcher = await space.member(pair.b, '/space/read');
    const onA = await space.member(pair.a);
    for (const m of [pusher, watcher, onA]) {
      const result = await m.client.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: m.ucan }] });
      expect(result.errors ?? []).toEqual([]);
    }
    const pushed = await pusher.client.call('push', {
      space: space.id,
      ucan: pusher.ucan,
      changes: [change()],
    });
    expect(pushed).toMatchObject({ ok: true, cursor: 1 });
    // Both sides see it once: A's own subscriber and B's other subscriber, via A's re-broadcast over TLS.
    for (const m of [watcher, onA]) {
      const sync = await m.client.waitFor((f) => f.method === 'sync' && params(f).space === space.id);
      expect(params(sync).cursor).toBe(1);
    }
    // A push on A crosses back to B over the same wss:// socket.
    const fromA = await onA.client.call('push', { space: space.id, ucan: onA.ucan, changes: [change()] });
    await watcher.client.waitFor((f) => f.method === 'sync' && params(f).cursor === fromA.cursor);
    await sleep(300);
    expect(watcher.client.count('sync', space.id)).toBe(2);
    expect(pusher.client.count('sync', space.id)).toBe(1);
    // It went through the terminator (one socket), and A verified every signature it got.
    expect(proxy.accepted()).toBe(1);
    expect(await metric(pair.a, 'less_sync_federation_signature_failures_total')).toBe(0);
  });

  it('R16 without the CA the certificate is refused: the client gets internal and /health names the failure', async () => {
    // Another instance of B (same database) without FEDERATION_CA_FILE: the proxy's certificate is untrusted.
    const { FEDERATION_CA_FILE: _ca, ...withoutCa } = pair.b.env;
    const b3: Server = await startServer(withoutCa);
    extra.push({ stop: () => killServer(b3) });
    const space = await seedSharedSpace(pair, { homeServer: publicUrl });
    const onB3 = await space.member(b3, '/space/read');
    const result = await onB3.client.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: onB3.ucan }],
    });
    expect(result.spaces).toEqual([]);
    expect(result.errors).toEqual([{ space: space.id, error: 'internal' }]);
    const health = (await (await fetch(`${b3.base}/health`)).json()) as {
      federation_outbound?: { peers: { domain: string; last_error?: string }[] };
    };
    const peer = health.federation_outbound?.peers.find((p) => p.domain === `localhost:${proxy.port}`);
    expect(peer?.last_error).toMatch(/certificate/i);
  });

  it('R16 FEDERATION_CA_FILE adds to the system roots: a peer with a system-trusted certificate still connects', async () => {
    // A second terminator in front of A, with a certificate the process trusts as a system root
    // (NODE_EXTRA_CA_CERTS), and a second instance of B (same database) that also has FEDERATION_CA_FILE.
    const systemCert = selfSignedCertificate();
    extra.push({ stop: () => systemCert.remove() });
    const systemProxy = await startTlsProxy(systemCert, pair.a.port);
    extra.push({ stop: () => systemProxy.close() });
    const b2: Server = await startServer({ ...pair.b.env, NODE_EXTRA_CA_CERTS: systemCert.certFile });
    extra.push({ stop: () => killServer(b2) });
    const space = await seedSharedSpace(pair, { homeServer: `https://localhost:${systemProxy.port}` });
    const onB2 = await space.member(b2, '/space/read');
    const result = await onB2.client.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: onB2.ucan }],
    });
    expect(result.errors ?? []).toEqual([]);
    expect(systemProxy.accepted()).toBe(1);
  });
});
