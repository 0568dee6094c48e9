import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisTransport } from '../../src/index.js';
import { redactUrl } from '../../src/transports/redact.js';
import { proxyFor, type TcpProxy } from '../support/tcp-proxy.js';
import { expectChannelFanOut, recordingHandlers } from '../support/transport-handlers.js';

/** A real Redis is required; under CI it must run, elsewhere the suite is skipped with a note. */
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const admin = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 3_000 } });
admin.on('error', () => undefined);
const reachable = await admin.connect().then(
  () => true,
  () => false,
);
if (!reachable && process.env.CI === 'true')
  throw new Error(`the Redis transport tests need Redis at ${url}`);
if (!reachable) console.warn(`Redis transport tests skipped: no Redis at ${url} (set REDIS_URL)`);

const channel = () => `lt_${randomBytes(6).toString('hex')}`;
const open: RedisTransport[] = [];
const proxies: TcpProxy[] = [];
const keys = new Set<string>();

function transport(options: Partial<ConstructorParameters<typeof RedisTransport>[0]> & { channel: string }) {
  const t = new RedisTransport({ url, blockMs: 500, ...options });
  open.push(t);
  keys.add(`less-sync:${options.channel}`);
  return t;
}

async function proxied(): Promise<{ proxy: TcpProxy; url: string }> {
  const through = await proxyFor(url, 6379);
  proxies.push(through.proxy);
  return through;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await Promise.all(proxies.splice(0).map((p) => p.down()));
  if (reachable && keys.size > 0) await admin.del([...keys]);
  keys.clear();
});
afterAll(async () => {
  if (reachable) await admin.quit();
});

describe.skipIf(!reachable)('RedisTransport (Redis Streams)', () => {
  beforeAll(() => console.log('backend=redis (transport tests)'));

  it('CLUSTER-05 BROKER-10: a hint published by one instance reaches every reader of the stream, not others', async () => {
    const ch = channel();
    const { a } = await expectChannelFanOut('redis', (same) => transport({ channel: same ? ch : channel() }));
    await a.close();
    expect(a.health().state).toBe('closed');
    await a.close();
    await expect(a.publish('late')).rejects.toThrow(/closed/);
  });

  it('CLUSTER-05: a new instance starts at new hints; the stream stays bounded (XADD MAXLEN ~)', async () => {
    const ch = channel();
    const a = transport({ channel: ch, maxLength: 100 });
    await a.start(recordingHandlers().h);
    await a.publish('old');
    for (let i = 0; i < 400; i++) await a.publish(`m${i}`);
    const len = await admin.xLen(`less-sync:${ch}`);
    expect(len).toBeLessThan(400);
    const late = transport({ channel: ch });
    const r = recordingHandlers();
    await late.start(r.h);
    await late.publish('new');
    await vi.waitFor(() => expect(r.messages).toEqual(['new']));
  });

  it('CLUSTER-05: CLIENT KILL of the reader: degraded, reconnects, resumes from its last id with nothing lost', async () => {
    const ch = channel();
    const errors: unknown[] = [];
    const a = transport({ channel: ch, onError: (e) => errors.push(e) });
    const b = transport({ channel: ch });
    const r = recordingHandlers();
    await a.start(r.h);
    await b.start(recordingHandlers().h);
    await b.publish('before');
    await vi.waitFor(() => expect(r.messages).toEqual(['before']));
    const id = await a.readerClientId();
    expect(id).toBeTypeOf('number');
    await admin.clientKill({ filter: 'ID', id: Number(id) });
    // Published while the reader is away: still in the stream, so it arrives after the reconnect.
    await b.publish('during');
    await vi.waitFor(() => expect(r.states).toContain('degraded'), { timeout: 10_000 });
    await vi.waitFor(() => expect(r.messages).toEqual(['before', 'during']), { timeout: 20_000 });
    expect(a.health().state).toBe('ok');
    expect(await a.readerClientId()).not.toBe(id);
    expect(r.states).toEqual(['ok', 'degraded', 'ok']);
    // The last id was still in the stream: nothing was missed, so no catch-up is asked for.
    expect(r.resumedCount()).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('CLUSTER-05: when its last id was trimmed away during a gap, the reader reports resumed', async () => {
    const ch = channel();
    const { proxy, url: through } = await proxied();
    const a = transport({ channel: ch, url: through });
    const b = transport({ channel: ch });
    const r = recordingHandlers();
    await a.start(r.h);
    await b.start(recordingHandlers().h);
    await b.publish('one');
    await vi.waitFor(() => expect(r.messages).toEqual(['one']));
    await proxy.down();
    await vi.waitFor(() => expect(a.health().state).toBe('degraded'), { timeout: 10_000 });
    expect(a.health().detail).toBeTypeOf('string');
    await expect(a.publish('while down')).rejects.toThrow();
    await admin.xTrim(`less-sync:${ch}`, 'MAXLEN', 0);
    await b.publish('two');
    await proxy.up();
    await vi.waitFor(() => expect(r.resumedCount()).toBe(1), { timeout: 20_000 });
    await vi.waitFor(() => expect(r.messages).toEqual(['one', 'two']), { timeout: 20_000 });
    expect(r.states).toEqual(['ok', 'degraded', 'ok']);
  });

  it('CLUSTER-05: an unreachable Redis rejects start, reports degraded without the password, and connects on return', async () => {
    const { proxy, url: through } = await proxied();
    await proxy.down();
    const secretUrl = new URL(through);
    secretUrl.password = 'hunter2secret';
    const errors: unknown[] = [];
    const ch = channel();
    const a = transport({ channel: ch, url: secretUrl.toString(), onError: (e) => errors.push(e) });
    const r = recordingHandlers();
    const failure = await a.start(r.h).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(a.health().state).toBe('degraded');
    const shown = JSON.stringify([a.health(), String(failure), errors.map(String)]);
    expect(shown).not.toContain('hunter2secret');
    expect(shown).not.toContain(secretUrl.toString());
    // The same port comes back (the proxy keeps it); the background loop connects, a real Redis answers.
    await proxy.up();
    await vi.waitFor(() => expect(a.health().state).toBe('ok'), { timeout: 20_000 });
    expect(r.resumedCount()).toBe(1);
  });

  it('rejects a channel with characters outside a plain key', () => {
    expect(() => new RedisTransport({ url, channel: 'a b' })).toThrow(/invalid channel/);
  });
});

describe('redactUrl', () => {
  it('hides the URL, password and user name in an error message', () => {
    const u = 'redis://user:p%40ss@host:6379';
    expect(redactUrl(new Error(`failed ${u}`), u).message).toBe('failed ***');
    expect(redactUrl(new Error('auth p@ss for user'), u).message).toBe('auth *** for ***');
    const plain = new Error('connect ECONNREFUSED');
    expect(redactUrl(plain, u)).toBe(plain);
    expect(redactUrl('x not-a-url', 'not-a-url').message).toBe('x ***');
  });
});
