import { isWireObject, type WireObject } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { DeadlineQueue } from '../src/connection/deadlines.js';
import { ReleasedRequests, RequestHold } from '../src/connection/released.js';
import { createHandlerTable, type RealtimeConnection, requestRoute } from '../src/index.js';
import {
  eventually,
  type Harness,
  type HarnessOptions,
  startHarness,
  TestClient,
  type TestIdentity,
} from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  for (const gate of gates.values()) gate();
  gates.clear();
  await harness?.close();
  harness = undefined;
});

/** Handlers waiting on "something remote", by key; the test answers them. */
const gates = new Map<string, () => void>();
let released: boolean[] = [];
let aborted: string[] = [];

function waitFor(key: string): Promise<void> {
  return new Promise<void>((resolve) => gates.set(key, resolve));
}
function answer(key: string): void {
  gates.get(key)?.();
  gates.delete(key);
}

const table = createHandlerTable<TestIdentity>({
  requests: {
    local: requestRoute({ decode: () => undefined, handle: () => ({ local: true }) }),
    remote: requestRoute({
      decode: (p) => String(p),
      handle: async (key, ctx) => {
        const pending = waitFor(key);
        released.push(ctx.release());
        // Asking again is harmless and reports the same.
        expect(ctx.release()).toBe(released.at(-1));
        await pending;
        return { key };
      },
    }),
    remoteStream: requestRoute({
      decode: (p) => String(p),
      chunked: true,
      handle: async (key, ctx) => {
        const pending = waitFor(key);
        ctx.release();
        await pending;
        await ctx.chunk('item', { key });
        return {};
      },
    }),
    remoteFails: requestRoute({
      decode: (p) => String(p),
      handle: async (key, ctx) => {
        const pending = waitFor(key);
        ctx.release();
        await pending;
        throw new Error('peer exploded');
      },
    }),
    remoteUntilClose: requestRoute({
      decode: (p) => String(p),
      handle: async (key, ctx) => {
        const pending = waitFor(key);
        released.push(ctx.release());
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        aborted.push(key);
        await pending;
        return {};
      },
    }),
    lateRelease: requestRoute({
      decode: () => undefined,
      handle: (_p, ctx) => {
        // Released only after the reply: the loop already went on, so this is a no.
        setImmediate(() => released.push(ctx.release()));
        return {};
      },
    }),
  },
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  released = [];
  aborted = [];
  harness = await startHarness({ handlers: table, ...options });
  return harness;
}

/** The next reply as `id:result-or-error-code`, chunks as `id:chunk`. */
async function nextReply(c: TestClient, timeoutMs = 2000): Promise<string> {
  const frame: WireObject = await c.next(timeoutMs);
  if (frame.type === 3) return `${String(frame.id)}:chunk`;
  const error = frame.error;
  if (isWireObject(error)) return `${String(frame.id)}:${String(error.code)}`;
  return `${String(frame.id)}:ok`;
}

describe('RequestContext.release: a handler waiting on something remote lets the read loop go on', () => {
  it('WS-FRAME-3 a released request is overtaken by later ones and replies under its own id when done', async () => {
    const h = await start();
    const c = await TestClient.authed(h.url);
    c.request('r1', 'remote', 'a');
    c.request('l1', 'local');
    c.request('s1', 'remoteStream', 'b');
    c.request('l2', 'local');
    expect(await nextReply(c)).toBe('l1:ok');
    expect(await nextReply(c)).toBe('l2:ok');
    answer('b');
    expect(await nextReply(c)).toBe('s1:chunk');
    const done = await c.next();
    expect(done).toMatchObject({ id: 's1', result: { _chunks: 1 } });
    answer('a');
    expect(await c.next()).toEqual({ type: 1, id: 'r1', result: { key: 'a' } });
    expect(released).toEqual([true]);
    c.close();
  });

  it('WS-FRAME-3 requests that do not release keep strict request order', async () => {
    const h = await start();
    const c = await TestClient.authed(h.url);
    c.request('late', 'lateRelease');
    c.request('l1', 'local');
    expect(await nextReply(c)).toBe('late:ok');
    expect(await nextReply(c)).toBe('l1:ok');
    await eventually(() => released.length === 1);
    expect(released).toEqual([false]);
    c.close();
  });

  it('WS-FRAME-3 at most maxReleasedRequests are out: beyond it the loop waits for the handler as before', async () => {
    const h = await start({ config: { maxReleasedRequests: 2 } });
    const c = await TestClient.authed(h.url);
    c.request('r1', 'remote', 'a');
    c.request('r2', 'remote', 'b');
    c.request('r3', 'remote', 'c');
    c.request('l1', 'local');
    await eventually(() => released.length === 3);
    expect(released).toEqual([true, true, false]);
    // r3 holds the loop: the local call behind it waits.
    expect(await c.silentFor(150)).toBe(true);
    answer('c');
    expect(await nextReply(c)).toBe('r3:ok');
    expect(await nextReply(c)).toBe('l1:ok');
    // A slot frees when a released handler finishes.
    answer('a');
    expect(await nextReply(c)).toBe('r1:ok');
    c.request('r4', 'remote', 'd');
    c.request('l2', 'local');
    expect(await nextReply(c)).toBe('l2:ok');
    expect(released).toEqual([true, true, false, true]);
    answer('b');
    answer('d');
    expect([await nextReply(c), await nextReply(c)].sort()).toEqual(['r2:ok', 'r4:ok']);
    c.close();
  });

  it('WS-FRAME-3 maxReleasedRequests 0 never releases', async () => {
    const h = await start({ config: { maxReleasedRequests: 0 } });
    const c = await TestClient.authed(h.url);
    c.request('r1', 'remote', 'a');
    c.request('l1', 'local');
    await eventually(() => released.length === 1);
    expect(released).toEqual([false]);
    expect(await c.silentFor(100)).toBe(true);
    answer('a');
    expect(await nextReply(c)).toBe('r1:ok');
    expect(await nextReply(c)).toBe('l1:ok');
    c.close();
  });

  it('WS-FRAME-3 a released handler that fails answers internal and the connection goes on', async () => {
    const h = await start();
    const c = await TestClient.authed(h.url);
    c.request('f1', 'remoteFails', 'a');
    c.request('l1', 'local');
    expect(await nextReply(c)).toBe('l1:ok');
    answer('a');
    expect(await nextReply(c)).toBe('f1:internal');
    c.request('l2', 'local');
    expect(await nextReply(c)).toBe('l2:ok');
    c.close();
  });

  it('WS-CLOSE-1 on close released handlers are aborted and `closed` waits for them', async () => {
    let connection: RealtimeConnection<TestIdentity> | undefined;
    const h = await start({ hooks: { onOpen: (conn) => (connection = conn) } });
    const c = await TestClient.authed(h.url);
    c.request('u1', 'remoteUntilClose', 'a');
    c.request('l1', 'local');
    expect(await nextReply(c)).toBe('l1:ok');
    let closed = false;
    void connection?.closed.then(() => (closed = true));
    c.close();
    await eventually(() => aborted.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    answer('a');
    await eventually(() => closed);
  });

  it('WS-CLOSE-1 a released handler that ignores the abort holds `closed` at most closeTimeoutMs', async () => {
    let connection: RealtimeConnection<TestIdentity> | undefined;
    const h = await start({
      config: { closeTimeoutMs: 200 },
      hooks: { onOpen: (conn) => (connection = conn) },
    });
    const c = await TestClient.authed(h.url);
    c.request('u1', 'remoteUntilClose', 'never');
    c.request('l1', 'local');
    expect(await nextReply(c)).toBe('l1:ok');
    let closed = false;
    void connection?.closed.then(() => (closed = true));
    c.close();
    await eventually(() => aborted.length === 1);
    await eventually(() => closed, 3000);
    expect(gates.has('never')).toBe(true);
  });

  it('R24 graceful shutdown lets released handlers reply before the 1001 close', async () => {
    const h = await start();
    const c = await TestClient.authed(h.url);
    c.request('r1', 'remote', 'a');
    c.request('l1', 'local');
    expect(await nextReply(c)).toBe('l1:ok');
    const shutdown = h.endpoint.shutdown({ graceMs: 3000 });
    expect(await c.silentFor(100)).toBe(true);
    answer('a');
    expect(await nextReply(c)).toBe('r1:ok');
    expect(await c.closed).toMatchObject({ code: 1001 });
    await shutdown;
  });
});

describe('ReleasedRequests and RequestHold', () => {
  it('a released handler that rejects is reported, frees its slot and never escapes', async () => {
    const failures: unknown[] = [];
    let idle = 0;
    const pool = new ReleasedRequests(1, {
      releasedFailed: (err) => failures.push(err),
      releasedIdle: () => idle++,
    });
    const hold = new RequestHold(pool);
    let fail: (err: Error) => void = () => {};
    const done = new Promise<void>((_resolve, reject) => (fail = reject));
    const waiting = hold.until(done);
    expect(hold.release()).toBe(true);
    expect(await waiting).toBe(true);
    expect(new RequestHold(pool).release()).toBe(false);
    pool.track(done);
    fail(new Error('reply failed'));
    await pool.settledWithin(new DeadlineQueue(systemClock), 1000);
    expect(failures).toHaveLength(1);
    expect(pool.count).toBe(0);
    expect(idle).toBe(1);
  });

  it('a handler that fails while holding the loop rejects the hold (the pump closes the connection)', async () => {
    const pool = new ReleasedRequests(1, { releasedFailed: () => {}, releasedIdle: () => {} });
    const hold = new RequestHold(pool);
    await expect(hold.until(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(hold.release()).toBe(false);
    expect(pool.count).toBe(0);
  });
});
