import { encode } from 'cborg';
import { afterEach, describe, expect, it } from 'vitest';
import { nowSeconds, TestClient, TestServer } from '../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

describe('client WebSocket route (WS-AUTH-*, WS-UPGRADE-1, WS-FRAME-*)', () => {
  it('WS-AUTH-1 WSPROTO-07 the JWT authenticator closes 4000 with the reference reason for each failure', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const cases: Array<[string, string]> = [
      ['not-a-jwt', 'invalid auth token'],
      [alice.token({ exp: nowSeconds() - 10 }), 'expired auth token'],
      [alice.token({ iss: 'https://elsewhere.example' }), 'untrusted auth issuer'],
      [alice.token({ scope: 'files' }), 'sync scope required'],
      [alice.token({ scope: 'SYNC' }), 'sync scope required'],
      [alice.token({ sub: '' }), 'invalid auth token'],
      ['', 'empty auth token'],
    ];
    for (const [token, reason] of cases) {
      const client = await server.connectRaw({ token });
      expect(await client.waitClosed(), reason).toEqual({ code: 4000, reason });
    }
    expect(server.services.sessions.size).toBe(0);
  });

  it('WS-AUTH-3 the connection runs as the JWT’s identity; the mailbox key falls back to the client id', async () => {
    server = await TestServer.start({ maxConnectionsPerMailbox: 1 });
    const alice = server.user('alice', { mailbox_id: '' });
    const first = await server.connect(alice);
    await first.call('subscribe', { spaces: [] });
    const [id] = server.connectionIds();
    const identity = [...server.endpoint.connections()].find((c) => c.id === id)?.identity;
    expect(identity).toMatchObject({
      mailboxId: alice.clientId,
      auth: {
        userId: 'alice',
        clientId: alice.clientId,
        did: alice.key.did,
        personalSpaceId: alice.personalSpaceId,
        scope: 'sync files',
      },
    });
    expect(identity?.expiresAt).toBeGreaterThan(Date.now());
    // WS-CONN-2: the second connection of the same mailbox key is over the limit of 1.
    const second = await server.connect(alice);
    expect(await second.waitClosed()).toEqual({ code: 4003, reason: 'too many connections' });
  });

  it('R1 WS-UPGRADE-1 the SDK’s subprotocol is accepted; none at all is HTTP 400', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const sdk = await server.connect(alice, { protocols: 'betterbase-rpc-v1' });
    expect(sdk.ws.protocol).toBe('betterbase-rpc-v1');
    expect(await sdk.call('subscribe', { spaces: [] })).toEqual({ spaces: [] });
    await expect(TestClient.connect(server.url, { protocols: [] })).rejects.toThrow(/HTTP 400/);
  });

  it('WS-FRAME-3 unknown methods, notification-only names and an empty id', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    expect((await c.request('no.such.method', {})).error).toEqual({
      code: 'method_not_found',
      message: 'unknown method: no.such.method',
    });
    expect((await c.request('unsubscribe', { spaces: [] })).error?.code).toBe('method_not_found');
    expect((await c.request('subscribe', { spaces: [] }, { id: '' })).result).toEqual({ spaces: [] });
  });

  it('WS-FRAME-2 a text frame after auth closes 4005; the session is dropped', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    await c.call('subscribe', { spaces: [] });
    expect(server.services.sessions.size).toBe(1);
    c.sendRaw('hello');
    expect(await c.waitClosed()).toEqual({ code: 4005, reason: 'expected binary rpc frame' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.services.sessions.size).toBe(0);
  });

  it('R2 CBOR undefined for absent optional fields is accepted, as the SDK’s cborg writes it', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const params = {
      spaces: [{ id: alice.personalSpaceId, since: 0, ucan: undefined, presence: undefined }],
    };
    expect(encode(params).includes(0xf7)).toBe(true);
    expect(await c.call('subscribe', params)).toEqual({
      spaces: [{ id: alice.personalSpaceId, cursor: 0, key_generation: 1 }],
    });
  });
});

describe('validator failures that are not AuthErrors', () => {
  it('WS-AUTH-1 a crashing validator closes 4000 "invalid auth token"; token.refresh answers the same', async () => {
    let crash = false;
    server = await TestServer.start({
      wrapTokenValidator: (v) => ({
        validateToken: async (token) => {
          if (crash) throw new TypeError('validator bug');
          return v.validateToken(token);
        },
      }),
    });
    const alice = server.user();
    const ok = await server.connect(alice);
    await ok.call('subscribe', { spaces: [] });
    crash = true;
    expect(await ok.call('token.refresh', { token: alice.token() })).toEqual({
      ok: false,
      error: 'invalid auth token',
    });
    const refused = await server.connect(alice);
    expect(await refused.waitClosed()).toEqual({ code: 4000, reason: 'invalid auth token' });
    expect(server.logged('token validator failed')).toBeDefined();
  });
});
