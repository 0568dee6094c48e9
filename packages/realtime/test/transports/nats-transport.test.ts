import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { NatsTransport } from '../../src/index.js';
import { natsConnectOptions } from '../../src/transports/nats/url.js';
import { proxyFor, type TcpProxy } from '../support/tcp-proxy.js';
import { expectChannelFanOut, recordingHandlers } from '../support/transport-handlers.js';

/** A real NATS server with JetStream is required; under CI it must run, elsewhere the suite is skipped. */
const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const admin: NatsConnection | undefined = await connect({
  ...natsConnectOptions(url),
  timeout: 3_000,
  maxReconnectAttempts: 0,
}).catch(() => undefined);
const reachable = admin !== undefined;
if (!reachable && process.env.CI === 'true') throw new Error(`the NATS transport tests need NATS at ${url}`);
if (!reachable) console.warn(`NATS transport tests skipped: no NATS at ${url} (set NATS_URL)`);

const channel = () => `lt_${randomBytes(6).toString('hex')}`;
const open: NatsTransport[] = [];
const proxies: TcpProxy[] = [];
const channels: string[] = [];

function transport(options: Partial<ConstructorParameters<typeof NatsTransport>[0]> & { channel: string }) {
  const t = new NatsTransport({ url, ...options });
  open.push(t);
  if (!channels.includes(options.channel)) channels.push(options.channel);
  return t;
}

async function proxied(): Promise<{ proxy: TcpProxy; url: string }> {
  const through = await proxyFor(url, 4222);
  proxies.push(through.proxy);
  return through;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await Promise.all(proxies.splice(0).map((p) => p.down()));
  if (admin === undefined) return;
  const jsm = await jetstreamManager(admin);
  for (const ch of channels.splice(0)) await jsm.streams.delete(`LESS_SYNC_${ch}`).catch(() => undefined);
});
afterAll(async () => {
  await admin?.close();
});

describe.skipIf(!reachable)('NatsTransport (JetStream)', () => {
  beforeAll(() => console.log('backend=nats (transport tests)'));

  it('CLUSTER-06 BROKER-10: a hint published by one instance reaches every consumer of the stream, not others', async () => {
    const ch = channel();
    const { a, ra, rb } = await expectChannelFanOut('nats', (same) =>
      transport({ channel: same ? ch : channel() }),
    );
    expect(ra.resumedCount() + rb.resumedCount()).toBe(0);
    await a.close();
    expect(a.health().state).toBe('closed');
    await a.close();
    await expect(a.publish('late')).rejects.toThrow(/closed/);
  });

  it('CLUSTER-06: a new instance starts at new hints; retention is bounded', async () => {
    const ch = channel();
    const a = transport({ channel: ch, maxMessages: 50 });
    await a.start(recordingHandlers().h);
    for (let i = 0; i < 120; i++) await a.publish(`m${i}`);
    const jsm = await jetstreamManager(admin as NatsConnection);
    const info = await jsm.streams.info(`LESS_SYNC_${ch}`);
    expect(info.state.messages).toBe(50);
    expect(info.config.max_age).toBeGreaterThan(0);
    const late = transport({ channel: ch, maxMessages: 50 });
    const r = recordingHandlers();
    await late.start(r.h);
    await late.publish('new');
    await vi.waitFor(() => expect(r.messages).toEqual(['new']));
  });

  it('CLUSTER-06: a dropped connection is degraded, reconnects and resumes with nothing lost', async () => {
    const ch = channel();
    const { proxy, url: through } = await proxied();
    const a = transport({ channel: ch, url: through });
    const b = transport({ channel: ch });
    const r = recordingHandlers();
    await a.start(r.h);
    await b.start(recordingHandlers().h);
    await b.publish('before');
    await vi.waitFor(() => expect(r.messages).toEqual(['before']));
    await proxy.down();
    await vi.waitFor(() => expect(a.health().state).toBe('degraded'), { timeout: 10_000 });
    await expect(a.publish('while down')).rejects.toThrow(/disconnected/);
    await b.publish('during');
    await proxy.up();
    await vi.waitFor(() => expect(r.messages).toEqual(['before', 'during']), { timeout: 30_000 });
    expect(a.health().state).toBe('ok');
    expect(r.states).toEqual(['ok', 'degraded', 'ok']);
    expect(r.resumedCount()).toBe(0);
    await a.publish('after');
    await vi.waitFor(() => expect(r.messages).toEqual(['before', 'during', 'after']));
  });

  it('CLUSTER-06: hints dropped by retention during a gap make the consumer report resumed', async () => {
    const ch = channel();
    const { proxy, url: through } = await proxied();
    const a = transport({ channel: ch, url: through, maxMessages: 3 });
    const b = transport({ channel: ch, maxMessages: 3 });
    const r = recordingHandlers();
    await a.start(r.h);
    await b.start(recordingHandlers().h);
    await b.publish('one');
    await vi.waitFor(() => expect(r.messages).toEqual(['one']));
    await proxy.down();
    await vi.waitFor(() => expect(a.health().state).toBe('degraded'), { timeout: 10_000 });
    for (let i = 0; i < 10; i++) await b.publish(`m${i}`);
    await proxy.up();
    await vi.waitFor(() => expect(r.resumedCount()).toBe(1), { timeout: 30_000 });
    await vi.waitFor(() => expect(r.messages.at(-1)).toBe('m9'), { timeout: 30_000 });
    expect(r.messages).not.toContain('m0');
  });

  it('CLUSTER-06: a deleted stream is recreated and reported as a gap', async () => {
    const ch = channel();
    const a = transport({ channel: ch });
    const r = recordingHandlers();
    await a.start(r.h);
    await a.publish('one');
    await a.publish('two');
    await vi.waitFor(() => expect(r.messages).toEqual(['one', 'two']));
    const jsm = await jetstreamManager(admin as NatsConnection);
    await jsm.streams.delete(`LESS_SYNC_${ch}`);
    await vi.waitFor(() => expect(r.resumedCount()).toBe(1), { timeout: 30_000 });
    await vi.waitFor(() => a.publish('three'), { timeout: 10_000 });
    await vi.waitFor(() => expect(r.messages.at(-1)).toBe('three'), { timeout: 10_000 });
  });

  it('CLUSTER-06: an unreachable server rejects start, reports degraded without the password, connects on return', async () => {
    const { proxy, url: through } = await proxied();
    await proxy.down();
    const secretUrl = new URL(through);
    secretUrl.username = 'user';
    secretUrl.password = 'hunter2secret';
    const errors: unknown[] = [];
    const a = transport({ channel: channel(), url: secretUrl.toString(), onError: (e) => errors.push(e) });
    const r = recordingHandlers();
    const failure = await a.start(r.h).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(a.health().state).toBe('degraded');
    const shown = JSON.stringify([a.health(), String(failure), errors.map(String)]);
    expect(shown).not.toContain('hunter2secret');
    // The test server has no authentication configured and ignores the credentials.
    await proxy.up();
    await vi.waitFor(() => expect(a.health().state).toBe('ok'), { timeout: 20_000 });
    expect(r.resumedCount()).toBe(1);
  });

  it('rejects a channel with characters outside a plain name', () => {
    expect(() => new NatsTransport({ url, channel: 'a.b' })).toThrow(/invalid channel/);
  });
});

describe('natsConnectOptions', () => {
  it('maps nats:// and tls:// URLs and their userinfo to client options', () => {
    expect(natsConnectOptions('nats://h:1234')).toEqual({ servers: 'h:1234' });
    expect(natsConnectOptions('nats://u:p%40w@h')).toEqual({ servers: 'h:4222', user: 'u', pass: 'p@w' });
    expect(natsConnectOptions('tls://tok@h:1')).toEqual({ servers: 'h:1', token: 'tok', tls: {} });
    expect(natsConnectOptions('nats://[::1]:4222')).toEqual({ servers: '[::1]:4222' });
    expect(() => natsConnectOptions('redis://h')).toThrow(/scheme/);
  });
});
