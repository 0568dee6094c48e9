import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { decode, encode } from 'cborg';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { FederationPeerManager } from '../../../src/index.js';
import { selfSignedCertificate } from '../certificate.js';
import { PeerKey } from '../peer.js';

/** The test's certificate, read into memory; its files are removed at once. */
function selfSigned(): { key: string; cert: string } {
  const made = selfSignedCertificate();
  made.remove();
  return { key: made.key, cert: made.cert };
}

let server: Server | undefined;
let manager: FederationPeerManager | undefined;
afterEach(async () => {
  manager?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

describe('wss:// peers (R16, FEDERATION_CA_FILE)', () => {
  it('FED-PEER-03 a wss:// home with a certificate trusted by configuration is dialled; without it the dial fails', async () => {
    const { key, cert } = selfSigned();
    server = createServer({ key, cert });
    const wss = new WebSocketServer({ server, handleProtocols: () => 'less-rpc-v1' });
    const hosts: string[] = [];
    wss.on('connection', (ws, req) => {
      hosts.push(`${req.headers.host}`);
      ws.on('message', (data: Buffer) => {
        const frame = decode(data) as { id: string };
        ws.send(encode({ type: 1, id: frame.id, result: { ok: true, cursor: 5 } }));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const peer = { domain: `tls.example:${port}`, url: `wss://127.0.0.1:${port}/api/v1/federation/ws` };
    const signer = new PeerKey('b.fed.test', 'fed-b');
    const push = { space: randomUUID(), ucan: 'u', changes: [] };

    const untrusted = new FederationPeerManager({
      signer: { keyId: signer.keyId, privateKey: signer.privateKey },
    });
    await expect(untrusted.forwardPush(peer, push)).rejects.toMatchObject({ kind: 'unavailable' });
    untrusted.close();

    manager = new FederationPeerManager({
      signer: { keyId: signer.keyId, privateKey: signer.privateKey },
      config: { ca: [cert] },
    });
    expect(await manager.forwardPush(peer, push)).toMatchObject({ ok: true, cursor: 5 });
    expect(hosts).toEqual([`127.0.0.1:${port}`]);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
});
