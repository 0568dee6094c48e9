import { request as httpRequest } from 'node:http';
import { encodeCbor, RpcError } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, offeredSubprotocol, requestRoute } from '../src/index.js';
import { type Harness, MAILBOX, startHarness, TestClient, type TestIdentity } from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A table with one `whoami` request, to prove auth succeeded and frames run in order. */
const echoTable = createHandlerTable<TestIdentity>({
  requests: {
    whoami: requestRoute<TestIdentity, string>({
      decode: (p) => {
        if (typeof p !== 'string') throw new RpcError('invalid_params', 'x');
        return p;
      },
      handle: (tag, ctx) => ({ tag, user: ctx.identity.userId, mailbox: ctx.identity.mailboxId }),
    }),
  },
});

async function rawUpgrade(
  url: string,
  protocol?: string | string[],
): Promise<{ status: number; body: string; protocol?: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/api/v1/ws',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...(protocol === undefined ? {} : { 'Sec-WebSocket-Protocol': protocol }),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '', protocol: res.headers['sec-websocket-protocol'] });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('upgrade (WS-UPGRADE-1, WSPROTO-01, R1)', () => {
  it('WS-UPGRADE-1 websocket_rejects_missing_subprotocol / websocket_rejects_wrong_subprotocol: HTTP 400 naming the accepted subprotocols', async () => {
    harness = await startHarness({ upgradeHeaders: { 'X-Protocol-Version': '1' } });
    for (const protocol of [undefined, 'graphql-ws', 'LESS-RPC-V1']) {
      const res = await rawUpgrade(harness.url, protocol);
      expect(res.status).toBe(400);
      expect(res.body).toContain('less-rpc-v1, betterbase-rpc-v1');
    }
  });

  it('R1 WSPROTO-01 echoes what the client offered; less-rpc-v1 first when both are offered', async () => {
    harness = await startHarness({ upgradeHeaders: { 'X-Protocol-Version': '1' } });
    expect((await rawUpgrade(harness.url, 'less-rpc-v1')).protocol).toBe('less-rpc-v1');
    expect((await rawUpgrade(harness.url, 'betterbase-rpc-v1')).protocol).toBe('betterbase-rpc-v1');
    expect((await rawUpgrade(harness.url, 'betterbase-rpc-v1, less-rpc-v1')).protocol).toBe('less-rpc-v1');
    const client = await TestClient.connect(harness.url, 'betterbase-rpc-v1');
    expect(client.ws.protocol).toBe('betterbase-rpc-v1');
    client.close();
  });

  it('WS-UPGRADE-1 with several Sec-WebSocket-Protocol lines the first one decides', async () => {
    harness = await startHarness({});
    expect((await rawUpgrade(harness.url, ['graphql-ws', 'less-rpc-v1'])).status).toBe(400);
    expect((await rawUpgrade(harness.url, ['less-rpc-v1', 'graphql-ws'])).status).toBe(101);
  });

  it('WS-UPGRADE-1 offeredSubprotocol reads the first line of the header, whatever its case', () => {
    expect(offeredSubprotocol([])).toBeUndefined();
    expect(offeredSubprotocol(['Host', 'x', 'Sec-WebSocket-Protocols', 'less-rpc-v1'])).toBeUndefined();
    expect(
      offeredSubprotocol(['SEC-WEBSOCKET-PROTOCOL', 'a, b', 'sec-websocket-protocol', 'less-rpc-v1']),
    ).toBe('a, b');
    // A dangling name without a value (never produced by Node) is not read past the end.
    expect(offeredSubprotocol(['sec-websocket-protocol'])).toBeUndefined();
  });
});

describe('auth-first handshake (WS-AUTH-1, WSPROTO-04..07)', () => {
  it('WS-AUTH-1 WS-AUTH-3 success sends nothing; later requests see the identity the authenticator returned', async () => {
    harness = await startHarness({ handlers: echoTable });
    const client = await TestClient.authed(harness.url);
    expect(await client.silentFor(150)).toBe(true);
    client.request('r1', 'whoami', 'x');
    expect(await client.next()).toEqual({
      type: 1,
      id: 'r1',
      result: { tag: 'x', user: 'user-1', mailbox: MAILBOX },
    });
    client.close();
  });

  it('WS-AUTH-1 frames pipelined behind the auth frame are handled in order once auth succeeds', async () => {
    harness = await startHarness({ handlers: echoTable });
    const client = await TestClient.connect(harness.url);
    // A slow validator: the SDK sends `subscribe` right after `auth` without waiting.
    client.auth('slow:150');
    for (let i = 0; i < 10; i++) client.request(`r${i}`, 'whoami', `${i}`);
    for (let i = 0; i < 10; i++) {
      expect(await client.next()).toMatchObject({ type: 1, id: `r${i}`, result: { tag: `${i}` } });
    }
    client.close();
  });

  it('WS-AUTH-1 a long pre-auth pipeline is bounded by pausing reads, and still handled in order', async () => {
    harness = await startHarness({
      handlers: echoTable,
      config: { inboundQueueFrames: 4, inboundQueueBytes: 1 << 20 },
    });
    const client = await TestClient.connect(harness.url);
    client.auth('slow:100');
    for (let i = 0; i < 100; i++) client.request(`r${i}`, 'whoami', `${i}`);
    for (let i = 0; i < 100; i++) expect(await client.next()).toMatchObject({ id: `r${i}` });
    client.close();
  });

  it('WS-AUTH-1 frames pipelined behind a refused auth frame are never handled', async () => {
    let calls = 0;
    const table = createHandlerTable<TestIdentity>({
      requests: { count: requestRoute({ decode: () => undefined, handle: () => ({ n: ++calls }) }) },
    });
    harness = await startHarness({ handlers: table });
    const client = await TestClient.connect(harness.url);
    client.auth('reject:invalid_token');
    client.request('r1', 'count');
    expect(await client.closed).toEqual({ code: 4000, reason: 'invalid auth token' });
    expect(calls).toBe(0);
  });

  const cases: Array<[string, (c: TestClient) => void, string]> = [
    ['a text first frame', (c) => c.send('{"type":2}'), 'expected binary auth frame'],
    ['an empty binary frame', (c) => c.send(new Uint8Array()), 'empty auth frame'],
    ['the keepalive as first frame', (c) => c.send(Uint8Array.of(0xf6)), 'invalid auth frame'],
    ['malformed CBOR', (c) => c.send(Uint8Array.of(0xff, 0xff)), 'invalid auth frame'],
    // websocket_non_auth_first_frame_closes_with_auth_failed / rejects_non_auth_first_frame
    ['a request first frame', (c) => c.request('req-1', 'subscribe', {}), 'invalid auth frame'],
    [
      'a notification other than auth',
      (c) => c.sendValue({ type: 2, method: 'presence.set', params: { token: 't' } }),
      'first frame must be an auth notification',
    ],
    ['an empty token', (c) => c.auth(''), 'empty auth token'],
    ['an unknown token', (c) => c.auth('nope'), 'invalid auth token'],
    ['a missing token', (c) => c.auth('reject:missing_token'), 'missing auth token'],
    ['an expired token (4000, not 4001)', (c) => c.auth('reject:expired_token'), 'expired auth token'],
    ['an untrusted issuer', (c) => c.auth('reject:untrusted_issuer'), 'untrusted auth issuer'],
    ['rejects_tokens_without_sync_scope', (c) => c.auth('reject:scope'), 'sync scope required'],
    ['an authenticator that throws', (c) => c.auth('throw'), 'invalid auth token'],
  ];
  for (const [name, act, reason] of cases) {
    it(`WS-AUTH-1 WSPROTO-04 WSPROTO-07 ${name} closes 4000 "${reason}"`, async () => {
      harness = await startHarness();
      const client = await TestClient.connect(harness.url);
      act(client);
      expect(await client.closed).toEqual({ code: 4000, reason });
      await expect.poll(() => harness!.endpoint.size).toBe(0);
      expect(harness.broker.size).toBe(0);
    });
  }

  it('WSPROTO-05 rejects_non_binary_first_message: a ping before auth closes 4000 "expected binary auth frame"', async () => {
    harness = await startHarness();
    const client = await TestClient.connect(harness.url);
    client.ws.ping();
    expect(await client.closed).toEqual({ code: 4000, reason: 'expected binary auth frame' });
  });

  it('WS-AUTH-2 websocket_auth_timeout_closes_with_auth_failed', async () => {
    harness = await startHarness({ config: { authTimeoutMs: 100 } });
    const client = await TestClient.connect(harness.url);
    expect(await client.closed).toEqual({ code: 4000, reason: 'auth timeout' });
  });

  it('WS-AUTH-2 the timeout also bounds a validator that never answers', async () => {
    harness = await startHarness({ config: { authTimeoutMs: 100 } });
    const client = await TestClient.connect(harness.url);
    client.auth('slow:400');
    expect(await client.closed).toEqual({ code: 4000, reason: 'auth timeout' });
    await new Promise((r) => setTimeout(r, 400));
    expect(harness.broker.size).toBe(0);
  });

  it('WS-UPGRADE-2 a first message over 4 MiB closes 4000 "failed to read auth frame"', async () => {
    harness = await startHarness({ config: { maxMessageBytes: 1024 } });
    const client = await TestClient.connect(harness.url);
    client.send(new Uint8Array(1025));
    expect(await client.closed).toEqual({ code: 4000, reason: 'failed to read auth frame' });
  });

  it('WS-UPGRADE-2 the default limit is 4 MiB: a 4 MiB + 1 auth frame is refused, a 4 MiB one is read', async () => {
    // The pre-auth cap (64 KiB by default) is lifted here to reach the message limit itself.
    harness = await startHarness({ config: { authFrameMaxBytes: 4 * 1024 * 1024 } });
    const big = await TestClient.connect(harness.url);
    big.send(new Uint8Array(4 * 1024 * 1024 + 1));
    expect(await big.closed).toEqual({ code: 4000, reason: 'failed to read auth frame' });
    const max = await TestClient.connect(harness.url);
    const token = 'x'.repeat(4 * 1024 * 1024 - 64);
    const frame = encodeCbor({ type: 2, method: 'auth', params: { token } });
    expect(frame.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    max.send(frame);
    expect(await max.closed).toEqual({ code: 4000, reason: 'invalid auth token' });
  });

  it('LIMITS-1 a first frame over authFrameMaxBytes (default 64 KiB) closes 1009 before any decoding', async () => {
    let authenticated = 0;
    harness = await startHarness({
      authenticate: async () => {
        authenticated++;
        throw new Error('never reached');
      },
    });
    const big = await TestClient.connect(harness.url);
    big.send(encodeCbor({ type: 2, method: 'auth', params: { token: 'x'.repeat(64 * 1024) } }));
    expect(await big.closed).toEqual({ code: 1009, reason: 'auth frame too large' });
    expect(authenticated).toBe(0);
  });

  it('WSPROTO-04 a client Close before auth is answered 4000 "connection closed before auth"', async () => {
    harness = await startHarness();
    const client = await TestClient.connect(harness.url);
    client.ws.close(1000);
    expect(await client.closed).toEqual({ code: 4000, reason: 'connection closed before auth' });
    await expect.poll(() => harness!.endpoint.size).toBe(0);
  });

  it('WS-AUTH-2 pre-auth connections do not count toward the mailbox limit', async () => {
    harness = await startHarness({ brokerLimit: 1 });
    const idle = [await TestClient.connect(harness.url), await TestClient.connect(harness.url)];
    const client = await TestClient.authed(harness.url);
    expect(await client.silentFor(100)).toBe(true);
    expect(await harness.broker.connectionCount(MAILBOX)).toBe(1);
    for (const c of [...idle, client]) c.close();
  });
});
