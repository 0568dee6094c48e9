import { afterEach, describe, expect, it } from 'vitest';
import { nowSeconds, TestServer } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('token.refresh (RPC-TOKEN-1, R8, R9)', () => {
  it('RPC-TOKEN-1 websocket_token_refresh_returns_error_for_invalid_token (each validator outcome)', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const cases: Array<[string, string]> = [
      ['garbage', 'invalid auth token'],
      ['', 'missing auth token'],
      [alice.token({ exp: nowSeconds() - 5 }), 'expired auth token'],
      [alice.token({ iss: 'https://untrusted.example' }), 'untrusted auth issuer'],
    ];
    for (const [token, error] of cases) {
      expect((await c.request('token.refresh', { token })).result).toEqual({ ok: false, error });
    }
  });

  it('RPC-TOKEN-1 websocket_token_refresh_requires_sync_scope_and_keeps_previous_auth', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    expect(await c.call('token.refresh', { token: alice.token({ scope: 'files' }) })).toEqual({
      ok: false,
      error: 'sync scope required',
    });
    // The previous identity still works.
    expect(await c.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] })).toMatchObject({
      spaces: [{ id: alice.personalSpaceId }],
    });
  });

  it('RPC-TOKEN-1 websocket_token_refresh_accepts_new_valid_token (scope may change)', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    expect(await c.call('token.refresh', { token: alice.token({ scope: 'sync' }) })).toEqual({ ok: true });
    const [id] = server.connectionIds();
    const connection = [...server.endpoint.connections()].find((conn) => conn.id === id);
    expect(connection?.identity?.auth.scope).toBe('sync');
  });

  it('RPC-TOKEN-1 R9 websocket_token_refresh_rejects_identity_mismatch: issuer, subject, client, mailbox, DID, personal space', async () => {
    server = await TestServer.start({ extraIssuers: 1 });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    // The same claims signed by another trusted issuer are another identity.
    const otherIssuer = server.otherIssuers[0]!;
    expect(await c.call('token.refresh', { token: otherIssuer.sign(alice.claims) })).toEqual({
      ok: false,
      error: 'token identity mismatch',
    });
    const mismatches = [
      { sub: 'mallory' },
      { client_id: 'other-client' },
      { mailbox_id: 'b'.repeat(64) },
      { did: server.user('x').key.did },
      { personal_space_id: '6dfe56d8-7987-439f-b044-ea19e633ef46' },
    ];
    for (const claims of mismatches) {
      expect(await c.call('token.refresh', { token: alice.token(claims) }), JSON.stringify(claims)).toEqual({
        ok: false,
        error: 'token identity mismatch',
      });
    }
    expect(server.logged('token.refresh presented a different identity; refused')).toBeDefined();
    const [id] = server.connectionIds();
    const identity = [...server.endpoint.connections()].find((conn) => conn.id === id)?.identity;
    expect(identity?.auth.userId).toBe('alice');
    expect(identity?.auth.did).toBe(alice.key.did);
  });

  it('RPC-TOKEN-1 WS-FRAME-4 invalid token refresh params', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    for (const params of [undefined, {}, { token: 5 }, { token: null }, 'token']) {
      expect((await c.request('token.refresh', params)).error).toEqual({
        code: 'invalid_params',
        message: 'invalid token refresh params',
      });
    }
  });

  it('R8 a JWT that expires on a live socket closes it 4001; a refresh before then moves the expiry', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const exp = nowSeconds() + 2;
    const lapsing = await server.connect(alice.token({ exp }));
    const refreshed = await server.connect(alice.token({ exp }));
    expect(
      await refreshed.call('token.refresh', { token: alice.token({ exp: nowSeconds() + 3600 }) }),
    ).toEqual({ ok: true });
    const closed = await lapsing.waitClosed(4_000);
    expect(closed).toEqual({ code: 4001, reason: 'token expired' });
    await sleep(200);
    expect(refreshed.isOpen).toBe(true);
    expect(await refreshed.call('subscribe', { spaces: [] })).toEqual({ spaces: [] });
  });
});
