import { generateKeyPairSync } from 'node:crypto';
import { TOO_MANY_FEDERATION_CONNECTIONS } from '@less-sync/api';
import { signHttpRequest } from '@less-sync/auth';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createServer, loadConfig } from '../../src/index.js';
import { devToken, type ServerFixture, startServer } from './helpers.js';

vi.setConfig({ testTimeout: 90_000 });

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function peerKey(domain: string) {
  const pair = generateKeyPairSync('ed25519');
  const keyId = `https://${domain}/.well-known/jwks.json#fed-1`;
  const pub = String(pair.publicKey.export({ format: 'jwk' }).x);
  return { keyId, privateKey: pair.privateKey, entry: `${keyId}=${pub}` };
}

/** Opens a socket and reports how the upgrade ended: 101 (open), or the refusal status and body. */
function dial(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'less-rpc-v1', { headers });
    ws.once('open', () => resolve({ status: 101, body: '', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('FED-KEY-08 / FED-WS-01 a server with FEDERATION_TRUSTED_KEYS accepts signed peers', () => {
  it('unsigned upgrade → 401, correctly signed → 101; /health, /status and /metrics show the live peer', async () => {
    const peer = peerKey('peer.example.com');
    fixture = await startServer({ FEDERATION_TRUSTED_KEYS: peer.entry, FEDERATION_FST_SECRET: 'secret' });
    const fedUrl = `${fixture.url.replace('http://', 'ws://')}/api/v1/federation/ws`;
    const unsigned = await dial(fedUrl, {});
    expect(unsigned).toEqual({ status: 401, body: 'signature verification failed' });
    const host = new URL(fedUrl).host;
    const signed = signHttpRequest(
      { method: 'GET', url: fedUrl, headers: { host } },
      peer.privateKey,
      peer.keyId,
    );
    const opened = await dial(fedUrl, { ...signed });
    expect(opened.status).toBe(101);
    try {
      // Admission runs just after the 101 (on PostgreSQL it is a database round trip).
      const base = fixture.url;
      await vi.waitFor(
        async () =>
          expect(await (await fetch(`${base}/health`)).json()).toEqual({
            status: 'healthy',
            federation: { enabled: true, peer_count: 1, connections: 1 },
          }),
        { timeout: 10_000, interval: 50 },
      );
      const { token } = await devToken(fixture.url, 'ops');
      const auth = { headers: { Authorization: `Bearer ${token}` } };
      const trusted = await (await fetch(`${fixture.url}/api/v1/federation/trusted`, auth)).json();
      expect(trusted).toEqual({ domains: ['peer.example.com'] });
      const status = await (
        await fetch(`${fixture.url}/api/v1/federation/status/PEER.example.com`, auth)
      ).json();
      expect(status).toMatchObject({ domain: 'peer.example.com', connections: 1, spaces: 0 });
      const untrusted = await fetch(`${fixture.url}/api/v1/federation/status/other.example.com`, auth);
      expect(untrusted.status).toBe(404);
      const metrics = await (await fetch(`${fixture.url}/metrics`)).text();
      expect(metrics).toContain('less_sync_federation_peer_sockets{domain="peer.example.com"} 1');
      expect(metrics).toContain('less_sync_federation_signature_failures_total{reason="missing_headers"} 1');
    } finally {
      opened.ws?.close();
    }
  });

  it('FED-HTTP-02..04 without trusted keys: federation route 404, /trusted 404, no /health block', async () => {
    fixture = await startServer();
    const health = await (await fetch(`${fixture.url}/health`)).json();
    expect(health).toEqual({ status: 'healthy' });
    const { token } = await devToken(fixture.url, 'ops');
    const res = await fetch(`${fixture.url}/api/v1/federation/trusted`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
  });
});

describe.skipIf(process.env.TEST_DATABASE_URL === undefined)(
  'CLUSTER-07 two instances on one database',
  () => {
    it('FED-QUOTA-02 FED-QUOTA-06 CLUSTER-07 the peer connection cap and status count both instances', async () => {
      const peer = peerKey('peer.example.com');
      fixture = await startServer({
        FEDERATION_TRUSTED_KEYS: peer.entry,
        FEDERATION_FST_SECRET: 'secret',
        FEDERATION_MAX_CONNECTIONS: '1',
      });
      const second = await createServer(loadConfig(fixture.env), {
        logger: pino({ level: 'silent' }),
        processMetrics: false,
      });
      const secondUrl = (await second.listen()).url;
      const dialSigned = (base: string) => {
        const fedUrl = `${base.replace('http://', 'ws://')}/api/v1/federation/ws`;
        const host = new URL(fedUrl).host;
        const signed = signHttpRequest(
          { method: 'GET', url: fedUrl, headers: { host } },
          peer.privateKey,
          peer.keyId,
        );
        return dial(fedUrl, { ...signed });
      };
      const first = await dialSigned(fixture.url);
      try {
        expect(first.status).toBe(101);
        // The socket on the first instance (admitted just after the 101) counts on the second: /health and
        // the status endpoint say so.
        await vi.waitFor(
          async () =>
            expect(await (await fetch(`${secondUrl}/health`)).json()).toEqual({
              status: 'healthy',
              federation: { enabled: true, peer_count: 1, connections: 1 },
            }),
          { timeout: 10_000, interval: 50 },
        );
        const { token } = await devToken(secondUrl, 'ops');
        const auth = { headers: { Authorization: `Bearer ${token}` } };
        const status = await (
          await fetch(`${secondUrl}/api/v1/federation/status/peer.example.com`, auth)
        ).json();
        expect(status).toMatchObject({ domain: 'peer.example.com', connections: 1 });

        // The cap is one socket for the whole service: the second instance refuses another.
        const refused = await dialSigned(secondUrl);
        const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
          refused.ws?.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
        });
        expect(closed).toEqual({
          code: TOO_MANY_FEDERATION_CONNECTIONS.code,
          reason: TOO_MANY_FEDERATION_CONNECTIONS.reason,
        });
        // The slot is given back when the socket ends, in every instance's view.
        first.ws?.close();
        await vi.waitFor(
          async () =>
            expect(
              await (await fetch(`${secondUrl}/api/v1/federation/status/peer.example.com`, auth)).json(),
            ).toMatchObject({ connections: 0 }),
          { timeout: 10_000, interval: 50 },
        );
      } finally {
        first.ws?.close();
        await second.close();
      }
    });
  },
);
