import { isWireObject, Payload, RpcError, rule, struct, text, type WireObject } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, notificationRoute, requestRoute } from '../src/index.js';
import { type Harness, startHarness, TestClient, type TestIdentity } from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const EchoParams = struct('EchoParams', { text: rule.R(text) });
const seen: string[] = [];

const table = createHandlerTable<TestIdentity>({
  requests: {
    echo: requestRoute({
      decode: (p) => EchoParams.decode(p ?? null),
      invalidParamsMessage: 'invalid echo params',
      handle: (params) => ({ text: params.text }),
    }),
    typed: requestRoute({
      decode: () => undefined,
      handle: () => Payload.of(EchoParams, { text: 'typed' }),
    }),
    anyParams: requestRoute({ decode: (p) => p, handle: () => ({}) }),
    fail: requestRoute({
      decode: () => undefined,
      handle: () => {
        throw new RpcError('forbidden', 'not yours');
      },
    }),
    explode: requestRoute({
      decode: () => undefined,
      handle: () => {
        throw new Error('boom');
      },
    }),
    lazyParams: requestRoute({
      decode: (p) => p,
      handle: (p) => EchoParams.decode(p ?? null),
    }),
    stream: requestRoute({
      decode: (p) => (typeof p === 'number' ? p : 0),
      chunked: true,
      handle: async (n, ctx) => {
        for (let i = 0; i < n; i++) await ctx.chunk('item', { i });
        expect(ctx.chunkCount).toBe(n);
        return { done: true };
      },
    }),
    batch: requestRoute({
      decode: (p) => (typeof p === 'number' ? p : 0),
      chunked: true,
      handle: async (n, ctx) => {
        await ctx.chunk('first', {});
        const items = Array.from({ length: n }, (_, i) => ['item', { i }] as const);
        await ctx.chunks(items);
        expect(ctx.chunkCount).toBe(n + 1);
        return {};
      },
    }),
    lazySignal: requestRoute({
      decode: () => undefined,
      handle: (_, ctx) => {
        // The context must not make the connection's AbortController (heap per idle connection) unasked.
        const before = Reflect.get(ctx.connection, 'abort') !== undefined;
        const aborted = ctx.signal.aborted;
        return { before, after: Reflect.get(ctx.connection, 'abort') !== undefined, aborted };
      },
    }),
    slow: requestRoute({
      decode: (p) => Number(p),
      handle: async (ms) => {
        await new Promise((r) => setTimeout(r, ms));
        return { ms };
      },
    }),
  },
  notifications: {
    note: notificationRoute({
      decode: (p) => {
        if (!isWireObject(p) || typeof p.v !== 'string') throw new Error('bad');
        return p.v;
      },
      handle: (v) => {
        seen.push(v);
        if (v === 'throw') throw new Error('notification boom');
      },
    }),
  },
});

async function authed(): Promise<TestClient> {
  harness ??= await startHarness({ handlers: table });
  return TestClient.authed(harness.url);
}

describe('request dispatch (WS-FRAME-3, WS-FRAME-4)', () => {
  it('WS-FRAME-3 websocket_unknown_method_returns_method_not_found (notification-only names too)', async () => {
    const client = await authed();
    client.request('req-1', 'foo', {});
    expect(await client.next()).toEqual({
      type: 1,
      id: 'req-1',
      error: { code: 'method_not_found', message: 'unknown method: foo' },
    });
    client.request('req-2', 'note', {});
    expect(await client.next()).toMatchObject({ id: 'req-2', error: { code: 'method_not_found' } });
    client.request('req-3', 'constructor', {});
    expect(await client.next()).toMatchObject({
      id: 'req-3',
      error: { message: 'unknown method: constructor' },
    });
  });

  it('WS-FRAME-3 websocket_request_with_empty_id_gets_response (missing id → "")', async () => {
    const client = await authed();
    client.sendValue({ type: 0, method: 'echo', params: { text: 'hi' } });
    expect(await client.next()).toEqual({ type: 1, id: '', result: { text: 'hi' } });
    client.sendValue({ type: 0, id: '', method: '' });
    expect(await client.next()).toEqual({
      type: 1,
      id: '',
      error: { code: 'method_not_found', message: 'unknown method: ' },
    });
  });

  it('WS-FRAME-4 missing, null, non-map or mistyped params → invalid_params with the method message', async () => {
    const client = await authed();
    client.request('a', 'echo');
    client.request('b', 'echo', null);
    client.request('c', 'echo', [1]);
    client.request('d', 'echo', { text: 5 });
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(await client.next()).toEqual({
        type: 1,
        id,
        error: { code: 'invalid_params', message: 'invalid echo params' },
      });
    }
    client.request('e', 'lazyParams', { text: 1 });
    expect(await client.next()).toMatchObject({
      id: 'e',
      error: { code: 'invalid_params', message: 'invalid lazyParams params' },
    });
    client.request('f', 'echo', { text: 'ok', extra: 1 });
    expect(await client.next()).toEqual({ type: 1, id: 'f', result: { text: 'ok' } });
  });

  it('WS-FRAME-1 RpcError → its code and message; a typed Payload result is written through its codec', async () => {
    const client = await authed();
    client.request('a', 'fail');
    expect(await client.next()).toEqual({
      type: 1,
      id: 'a',
      error: { code: 'forbidden', message: 'not yours' },
    });
    client.request('b', 'typed');
    expect(await client.next()).toEqual({ type: 1, id: 'b', result: { text: 'typed' } });
  });

  it('WS-FRAME-3 a handler exception becomes `internal` and the connection stays open', async () => {
    const errors: unknown[] = [];
    harness = await startHarness({
      handlers: table,
      logger: { warn: () => {}, error: (f) => errors.push(f.err) },
    });
    const client = await TestClient.authed(harness.url);
    client.request('a', 'explode');
    expect(await client.next()).toEqual({
      type: 1,
      id: 'a',
      error: { code: 'internal', message: 'internal error' },
    });
    client.request('b', 'echo', { text: 'still here' });
    expect(await client.next()).toMatchObject({ id: 'b', result: { text: 'still here' } });
    expect(errors).toHaveLength(1);
  });

  it('RPC-PULL-1 R4 chunked responses: chunks carry the request id, the result ends with _chunks', async () => {
    const client = await authed();
    client.request('p1', 'stream', 3);
    for (let i = 0; i < 3; i++)
      expect(await client.next()).toEqual({ type: 3, id: 'p1', name: 'item', data: { i } });
    const result = await client.next();
    expect(result).toEqual({ type: 1, id: 'p1', result: { done: true, _chunks: 3 } });
    expect(Object.keys(result.result as WireObject)).toEqual(['done', '_chunks']);
    client.request('p2', 'stream', 0);
    expect(await client.next()).toEqual({ type: 1, id: 'p2', result: { done: true, _chunks: 0 } });
  });

  it('RPC-PULL-1 a batch of chunks goes out in order after earlier chunks, counted in _chunks', async () => {
    const client = await authed();
    client.request('b1', 'batch', 300);
    expect(await client.next()).toEqual({ type: 3, id: 'b1', name: 'first', data: {} });
    for (let i = 0; i < 300; i++)
      expect(await client.next()).toEqual({ type: 3, id: 'b1', name: 'item', data: { i } });
    expect(await client.next()).toEqual({ type: 1, id: 'b1', result: { _chunks: 301 } });
  });

  it('a request makes the connection abort signal only when its handler reads it', async () => {
    const client = await authed();
    client.request('s1', 'lazySignal');
    expect(await client.next()).toEqual({
      type: 1,
      id: 's1',
      result: { before: false, after: true, aborted: false },
    });
  });

  it('WS-FRAME-3 requests run strictly one at a time: responses come back in request order', async () => {
    const client = await authed();
    client.request('a', 'slow', 80);
    client.request('b', 'slow', 1);
    client.request('c', 'echo', { text: 'c' });
    expect((await client.next()).id).toBe('a');
    expect((await client.next()).id).toBe('b');
    expect((await client.next()).id).toBe('c');
  });
});

describe('inbound frames after auth (WS-FRAME-2, WS-FRAME-5)', () => {
  it('WS-FRAME-5 notifications dispatch; unknown ones, bad params and handler failures are silent', async () => {
    seen.length = 0;
    const client = await authed();
    client.notify('note', { v: 'one' });
    client.notify('unknown.thing', { v: 'x' });
    client.notify('note', { v: 7 });
    client.notify('note', { v: 'throw' });
    client.notify('auth', { token: 'valid-token' }); // a second auth is ignored
    client.notify('note', { v: 'two' });
    client.request('sync', 'echo', { text: 'barrier' });
    expect(await client.next()).toMatchObject({ id: 'sync' });
    expect(seen).toEqual(['one', 'throw', 'two']);
  });

  it('WS-FRAME-2 websocket_unknown_frame_type_does_not_close_connection; client response and chunk frames are ignored', async () => {
    const client = await authed();
    client.sendValue({ type: 99, method: 'noop', id: 'x' });
    client.sendValue({ type: 1, id: 'r-1', result: {} });
    client.sendValue({ type: 3, id: 'c-1', name: 'pull.record', data: {} });
    client.send(Uint8Array.of(0xf6));
    client.request('after', 'echo', { text: 'alive' });
    expect(await client.next()).toEqual({ type: 1, id: 'after', result: { text: 'alive' } });
  });

  const closes: Array<[string, (c: TestClient) => void, string]> = [
    [
      'websocket_text_after_auth_closes_with_protocol_error',
      (c) => c.send('hello'),
      'expected binary rpc frame',
    ],
    [
      'websocket_empty_binary_after_auth_closes_with_protocol_error',
      (c) => c.send(new Uint8Array()),
      'empty binary frame',
    ],
    [
      'websocket_invalid_cbor_after_auth_closes_with_protocol_error',
      (c) => c.send(Uint8Array.of(0xff, 0xff, 0xff)),
      'invalid cbor frame',
    ],
    ['truncated CBOR', (c) => c.send(Uint8Array.of(0xa5)), 'invalid cbor frame'],
    ['a numeric request id', (c) => c.sendValue({ type: 0, id: 7, method: 'echo' }), 'invalid cbor frame'],
    ['a keepalive followed by more bytes', (c) => c.send(Uint8Array.of(0xf6, 0xf6)), 'invalid cbor frame'],
  ];
  for (const [name, act, reason] of closes) {
    it(`WS-FRAME-2 ${name} → 4005 "${reason}"`, async () => {
      const client = await authed();
      client.request('first', 'echo', { text: 'x' });
      expect(await client.next()).toMatchObject({ id: 'first' });
      act(client);
      client.request('never', 'echo', { text: 'y' });
      expect(await client.closed).toEqual({ code: 4005, reason });
      expect(client.messages.filter((m) => m.length > 1)).toHaveLength(1);
      await expect.poll(() => harness!.broker.size).toBe(0);
    });
  }

  it('WS-FRAME-2 frames queued behind a protocol error are dropped; earlier responses are delivered first', async () => {
    const client = await authed();
    client.request('a', 'slow', 50);
    client.send('text');
    client.request('b', 'echo', { text: 'b' });
    expect(await client.next()).toMatchObject({ id: 'a' });
    expect(await client.closed).toEqual({ code: 4005, reason: 'expected binary rpc frame' });
    expect(client.messages.filter((m) => m.length > 1)).toHaveLength(1);
  });

  it('WS-UPGRADE-2 a message over the limit after auth ends the session (1009 from the transport)', async () => {
    harness = await startHarness({ handlers: table, config: { maxMessageBytes: 2048 } });
    const client = await TestClient.authed(harness.url);
    client.request('a', 'echo', { text: 'ok' });
    expect(await client.next()).toMatchObject({ id: 'a' });
    client.send(new Uint8Array(4096));
    expect((await client.closed).code).toBe(1009);
    await expect.poll(() => harness!.broker.size).toBe(0);
  });
});
