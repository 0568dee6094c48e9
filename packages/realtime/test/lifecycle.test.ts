import { CloseCode } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PresenceRegistry, publishToSpace } from '../src/index.js';
import {
  eventually,
  type Harness,
  type HarnessOptions,
  MAILBOX,
  startHarness,
  TestClient,
} from './support/harness.js';
import { realtimeTable } from './support/realtime-table.js';

const SPACE = '6dfe56d8-7987-439f-b044-ea19e633ef46';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  const presence = new PresenceRegistry();
  harness = await startHarness({ presence, handlers: realtimeTable(presence), ...options });
  return harness;
}

async function subscribed(h: Harness, token?: string, space = SPACE): Promise<TestClient> {
  const client = await TestClient.authed(h.url, token);
  client.request('sub', 'subscribe', [space]);
  expect(await client.next()).toMatchObject({ id: 'sub' });
  return client;
}

describe('keepalive and liveness (WS-KEEPALIVE-1)', () => {
  it('WS-KEEPALIVE-1 the server sends the one-byte 0xF6 frame every interval, before and after auth', async () => {
    const h = await start({ config: { keepaliveIntervalMs: 100 } });
    const client = await TestClient.connect(h.url);
    const first = await client.nextRaw(1000, { skipKeepalive: false });
    expect([...first]).toEqual([0xf6]);
    client.auth();
    await client.nextRaw(1000, { skipKeepalive: false });
    await client.nextRaw(1000, { skipKeepalive: false });
    expect(client.messages.every((m) => m.length === 1 && m[0] === 0xf6)).toBe(true);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.close();
  });

  it('WS-KEEPALIVE-1 a peer that stops answering pings is cut off; its slot is freed', async () => {
    const h = await start({ config: { keepaliveIntervalMs: 40 } });
    const client = await TestClient.authed(h.url);
    await eventually(async () => (await h.broker.connectionCount(MAILBOX)) === 1);
    // Stop reading: pings go unanswered (ws answers pings only while reading).
    client.ws.pause();
    await eventually(async () => (await h.broker.connectionCount(MAILBOX)) === 0, 3000);
    await expect.poll(() => h.endpoint.size).toBe(0);
    client.ws.resume();
    expect((await client.closed).code).toBe(1006);
  });
});

describe('lifetime and expiry (WS-LIFETIME-1, R8)', () => {
  it('WS-LIFETIME-1 the lifetime cap closes 4001 "connection timeout"', async () => {
    const h = await start({ config: { maxLifetimeMs: 120 } });
    const client = await TestClient.authed(h.url);
    expect(await client.closed).toEqual({ code: CloseCode.TokenExpired, reason: 'connection timeout' });
    expect(h.broker.size).toBe(0);
  });

  it('WS-LIFETIME-1 the lifetime is jittered within ±10% (random source injected)', async () => {
    const h = await start({ config: { maxLifetimeMs: 200, lifetimeJitter: 0.5 }, random: () => 0 });
    const started = Date.now();
    const client = await TestClient.authed(h.url);
    expect((await client.closed).reason).toBe('connection timeout');
    // factor 0.5 → 100 ms; it must not have waited for the unjittered 200 ms.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('R8 a credential that expires on a live socket closes it with 4001 "token expired"', async () => {
    const h = await start();
    const client = await TestClient.authed(h.url, 'expires-in:150');
    expect(await client.closed).toEqual({ code: 4001, reason: 'token expired' });
    expect(h.broker.size).toBe(0);
  });

  it('R8 R9 replaceIdentity (token.refresh) moves the expiry', async () => {
    const h = await start();
    const client = await TestClient.authed(h.url, 'expires-in:400');
    client.request('r', 'refresh', 100_000);
    expect(await client.next()).toEqual({ type: 1, id: 'r', result: { ok: true } });
    expect(await client.silentFor(700)).toBe(true);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.request('r2', 'refresh', 50);
    expect(await client.next()).toMatchObject({ id: 'r2' });
    expect(await client.closed).toEqual({ code: 4001, reason: 'token expired' });
  });

  it('WS-LIFETIME-1 a close aborts the handler in flight; its reply is dropped', async () => {
    const h = await start({ config: { maxLifetimeMs: 100, lifetimeJitter: 0 } });
    const client = await TestClient.authed(h.url);
    client.request('h', 'hold', 5000);
    expect(await client.closed).toEqual({ code: 4001, reason: 'connection timeout' });
    expect(client.messages.filter((m) => m.length > 1)).toHaveLength(0);
  });
});

describe('connection limit (WS-CONN-2, BROKER-04)', () => {
  it('WS-CONN-2 websocket_connection_limit_closes_after_auth: 4003 "too many connections"; the slot frees on close', async () => {
    const h = await start({ brokerLimit: 1 });
    const first = await TestClient.authed(h.url);
    await eventually(async () => (await h.broker.connectionCount(MAILBOX)) === 1);
    const second = await TestClient.authed(h.url);
    expect(await second.closed).toEqual({ code: 4003, reason: 'too many connections' });
    const other = await TestClient.authed(h.url, 'mailbox:other');
    expect(await other.silentFor(100)).toBe(true);
    first.close();
    await first.closed;
    await eventually(async () => (await h.broker.connectionCount(MAILBOX)) === 0);
    const third = await TestClient.authed(h.url);
    expect(await third.silentFor(150)).toBe(true);
    expect(third.ws.readyState).toBe(third.ws.OPEN);
    expect(await h.broker.connectionCount(MAILBOX)).toBe(1);
  });

  it('WS-CONN-2 BROKER-01 the default limit is 3 per mailbox', async () => {
    const h = await start();
    const clients = [
      await TestClient.authed(h.url),
      await TestClient.authed(h.url),
      await TestClient.authed(h.url),
    ];
    await eventually(async () => (await h.broker.connectionCount(MAILBOX)) === 3);
    const fourth = await TestClient.authed(h.url);
    expect((await fourth.closed).code).toBe(4003);
    for (const c of clients) c.close();
  });

  it('WS-CONN-1 admit hook can refuse a connection with its own directive; nothing is registered', async () => {
    const h = await start({
      hooks: { admit: () => ({ code: 4003, reason: 'too many federation connections' }) },
    });
    const client = await TestClient.authed(h.url);
    expect(await client.closed).toEqual({ code: 4003, reason: 'too many federation connections' });
    expect(h.broker.size).toBe(0);
  });
});

describe('fan-out and slow consumers (RT-1, WS-OUTBOUND-1, R7)', () => {
  it('RT-1 publish reaches the other subscribers of the space and excludes the sender', async () => {
    const h = await start();
    const a = await subscribed(h, 'mailbox:a');
    const b = await subscribed(h, 'mailbox:b');
    const c = await subscribed(h, 'mailbox:c', '11111111-1111-1111-1111-111111111111');
    a.request('e', 'event', { space: SPACE, data: Uint8Array.of(1) });
    expect(await a.next()).toEqual({ type: 1, id: 'e', result: { delivered: 1 } });
    expect(await b.next()).toMatchObject({
      type: 2,
      method: 'event',
      params: { space: SPACE, data: Uint8Array.of(1) },
    });
    expect(await c.silentFor(100)).toBe(true);
    expect(await a.silentFor(50)).toBe(true);
  });

  it('R5 a subscription written in upper case or simple hex is the same space', async () => {
    const h = await start();
    const a = await subscribed(h, 'mailbox:a', SPACE.toUpperCase());
    const b = await subscribed(h, 'mailbox:b', SPACE.replaceAll('-', ''));
    b.request('self', 'self');
    expect(await b.next()).toMatchObject({ type: 2, method: 'hello' });
    expect((await b.next()).result).toMatchObject({ subscribed: [SPACE] });
    await publishToSpace(h.broker, SPACE, 'sync', { space: SPACE });
    expect(await a.next()).toMatchObject({ method: 'sync' });
    expect(await b.next()).toMatchObject({ method: 'sync' });
  });

  it('RPC-SUB-4 websocket_unsubscribe_notification_stops_sync_broadcasts', async () => {
    const h = await start();
    const client = await subscribed(h);
    await publishToSpace(h.broker, SPACE, 'sync', { space: SPACE });
    expect(await client.next()).toMatchObject({ method: 'sync' });
    client.notify('unsubscribe', [SPACE]);
    client.request('sync-barrier', 'self');
    await client.next();
    expect(await client.next()).toMatchObject({ id: 'sync-barrier', result: { subscribed: [] } });
    expect(await publishToSpace(h.broker, SPACE, 'sync', { space: SPACE })).toBe(0);
    expect(await client.silentFor(100)).toBe(true);
  });

  it('R7 WS-OUTBOUND-1 BROKER-10 a reader that stops reading is closed 4006 "slow consumer" and its slot is freed', async () => {
    const h = await start({ brokerLimit: 1, config: { keepaliveIntervalMs: 0, closeTimeoutMs: 20_000 } });
    const slow = await subscribed(h);
    slow.ws.pause();
    const payload = new Uint8Array(64 * 1024).fill(7);
    let rounds = 0;
    while (h.broker.size > 0) {
      expect(++rounds).toBeLessThan(5000);
      await h.broker.broadcastSpace(SPACE, '', payload);
      await new Promise((r) => setImmediate(r));
    }
    // Evicted at once, while the socket is still unread: the mailbox slot is already free.
    expect(await h.broker.connectionCount(MAILBOX)).toBe(0);
    const replacement = await TestClient.authed(h.url);
    expect(await replacement.silentFor(100)).toBe(true);
    expect(replacement.ws.readyState).toBe(replacement.ws.OPEN);
    slow.ws.resume();
    expect(await slow.closed).toEqual({ code: 4006, reason: 'slow consumer' });
  });

  it('R7 a slow consumer is reported once with its queue size, and a reader that resumes after the normal close timeout still sees 4006', async () => {
    const evictions: number[] = [];
    const h = await start({
      brokerLimit: 1,
      config: { keepaliveIntervalMs: 0, closeTimeoutMs: 100, slowConsumerCloseTimeoutMs: 30_000 },
      hooks: { onSlowConsumer: (_c, queued) => evictions.push(queued) },
    });
    const slow = await subscribed(h);
    slow.ws.pause();
    const payload = new Uint8Array(64 * 1024).fill(7);
    let rounds = 0;
    while (h.broker.size > 0) {
      expect(++rounds).toBeLessThan(5000);
      await h.broker.broadcastSpace(SPACE, '', payload);
      await new Promise((r) => setImmediate(r));
    }
    expect(evictions).toHaveLength(1);
    expect(evictions[0]).toBeGreaterThan(0);
    // Longer than closeTimeoutMs: a normal close would have cut the socket (1006) by now.
    await new Promise((r) => setTimeout(r, 1_000));
    slow.ws.resume();
    expect(await slow.closed).toEqual({ code: 4006, reason: 'slow consumer' });
  });

  it('PRESENCE-7 websocket_presence_leave_broadcasts_when_peer_disconnects (same pseudonym as before)', async () => {
    const h = await start();
    const watcher = await subscribed(h, 'mailbox:w');
    const leaver = await subscribed(h, 'mailbox:l');
    leaver.notify('presence.set', { space: SPACE, data: Uint8Array.of(9) });
    const joined = await watcher.next();
    expect(joined).toMatchObject({ method: 'presence', params: { space: SPACE, data: Uint8Array.of(9) } });
    const peer = (joined.params as { peer: string }).peer;
    expect(peer).toMatch(/^[0-9a-f]{32}$/);
    leaver.close();
    expect(await watcher.next()).toEqual({
      type: 2,
      method: 'presence.leave',
      params: { space: SPACE, peer },
    });
    expect(h.presence.spaceCount).toBe(0);
  });

  it('PRESENCE-2 websocket_unsubscribe_clears_presence_and_broadcasts_leave', async () => {
    const h = await start();
    const watcher = await subscribed(h, 'mailbox:w');
    const leaver = await subscribed(h, 'mailbox:l');
    leaver.notify('presence.set', { space: SPACE, data: Uint8Array.of(1) });
    const { peer } = (await watcher.next()).params as { peer: string };
    leaver.notify('unsubscribe', [SPACE]);
    expect(await watcher.next()).toEqual({
      type: 2,
      method: 'presence.leave',
      params: { space: SPACE, peer },
    });
  });
});

describe('teardown and shutdown (WS-CLOSE-1, R24)', () => {
  it('WS-CLOSE-1 teardown leaves no timers or sockets behind', async () => {
    const h = await start();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const clients = await Promise.all([1, 2, 3].map((i) => subscribed(h, `mailbox:${i}`)));
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.closed));
    await expect.poll(() => h.endpoint.size).toBe(0);
    await expect
      .poll(() => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length)
      .toBeLessThanOrEqual(before);
    expect(h.broker.size).toBe(0);
  });

  it('R24 shutdown closes every socket with 1001 "going away" and refuses new upgrades', async () => {
    const h = await start();
    const a = await subscribed(h, 'mailbox:a');
    const pending = await TestClient.connect(h.url);
    const shutdown = h.endpoint.shutdown({ graceMs: 2000 });
    expect(await a.closed).toEqual({ code: 1001, reason: 'going away' });
    expect(await pending.closed).toEqual({ code: 1001, reason: 'going away' });
    await shutdown;
    expect(h.endpoint.size).toBe(0);
    expect(h.broker.size).toBe(0);
    await expect(TestClient.connect(h.url)).rejects.toThrow('HTTP 503');
  });

  it('R24 shutdown lets the request in flight finish before closing', async () => {
    const h = await start();
    const client = await TestClient.authed(h.url);
    client.request('h', 'hold', 150);
    await new Promise((r) => setTimeout(r, 30));
    await h.endpoint.shutdown({ graceMs: 2000 });
    expect(await client.next()).toEqual({ type: 1, id: 'h', result: { held: 150, aborted: false } });
    expect(await client.closed).toEqual({ code: 1001, reason: 'going away' });
  });

  it('R24 past the grace period, stuck connections are aborted and cut off', async () => {
    const h = await start();
    const client = await TestClient.authed(h.url);
    client.request('h', 'hold', 60_000);
    await new Promise((r) => setTimeout(r, 30));
    await h.endpoint.shutdown({ graceMs: 100 });
    expect(h.endpoint.size).toBe(0);
    expect([1001, 1006]).toContain((await client.closed).code);
  });
});
