/**
 * Two-server federation suite, a home server that stops answering or dies (B8, FED-PEER-05, FED-PEER-07):
 * A is frozen with SIGSTOP, then killed with SIGKILL and restarted on the same port and database; B's
 * clients do nothing special.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { params } from './client.js';
import { DOMAIN_B, type Pair, startPair } from './pair.js';
import { change, closeClients, seedSharedSpace } from './spaces.js';
import { buildAll, postgresReachable } from './support.js';

const reachable = await postgresReachable('federation');
/** B's deadline for one call to A. */
const CALL_TIMEOUT_MS = 1_500;
let pair: Pair;

beforeAll(async () => {
  if (!reachable) return;
  buildAll();
  pair = await startPair({ envB: () => ({ FEDERATION_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS) }) });
}, 300_000);

afterAll(async () => {
  closeClients();
  if (reachable) await pair?.stop();
});

async function spacesOfB(): Promise<number> {
  const { token } = await pair.a.token('status-reader');
  const res = await fetch(`${pair.a.base}/api/v1/federation/status/${DOMAIN_B}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { spaces: number }).spaces;
}

interface OutboundPeer {
  readonly domain: string;
  readonly state: string;
  readonly pending_calls: number;
  readonly subscriptions: number;
  readonly last_error?: string;
}

/** B's view of its link to A on /health. */
async function outboundPeer(): Promise<OutboundPeer | undefined> {
  const health = (await (await fetch(`${pair.b.base}/health`)).json()) as {
    federation_outbound?: { peers: OutboundPeer[] };
  };
  return health.federation_outbound?.peers.find((p) => p.domain === `127.0.0.1:${pair.a.port}`);
}

describe.skipIf(!reachable)('two servers: the home server stops answering', () => {
  it('B8 FED-PEER-04 a frozen A fails the forwarded call within the deadline; the client local call sent after it is answered first', async () => {
    const space = await seedSharedSpace(pair);
    const later = await seedSharedSpace(pair);
    const onB = await space.member(pair.b);
    const bystander = await space.member(pair.b);
    await onB.client.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: onB.ucan }] });
    const laterUcan = later.root.issue(onB.device.did, later.id, '/space/read');
    pair.a.child.process.kill('SIGSTOP');
    try {
      const t0 = performance.now();
      const at = <T>(p: Promise<T>) => p.then((value) => ({ value, ms: performance.now() - t0 }));
      // Pipelined on one connection: a forwarded push, a local push, a forwarded subscribe. A forwarded call
      // releases the connection while it waits on A (B8), so the local push is answered before it fails.
      const forwarded = at(
        onB.client.call('push', { space: space.id, ucan: onB.ucan, changes: [change()] }, 20_000),
      );
      const local = at(onB.client.call('push', { space: onB.personalSpace, changes: [change()] }, 20_000));
      const subscribe = at(
        onB.client.call('subscribe', { spaces: [{ id: later.id, since: 0, ucan: laterUcan }] }, 20_000),
      );
      // Another client of B is not held up at all by the silent peer.
      const quick = await at(
        bystander.client.call('push', { space: bystander.personalSpace, changes: [change()] }, 20_000),
      );
      expect(quick.value).toMatchObject({ ok: true, cursor: 1 });
      expect(quick.ms).toBeLessThan(CALL_TIMEOUT_MS);
      // Monitoring shows the call waiting on the silent peer.
      expect((await outboundPeer())?.pending_calls).toBeGreaterThanOrEqual(1);

      const push = await forwarded;
      expect(push.value).toMatchObject({ ok: false, error: 'internal' });
      // The deadline, once (a timed-out push is not retried: it may have been stored), plus slack.
      expect(push.ms).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 100);
      expect(push.ms).toBeLessThan(CALL_TIMEOUT_MS + 1_500);
      const own = await local;
      expect(own.value).toMatchObject({ ok: true, cursor: 1 });
      expect(own.ms).toBeLessThan(push.ms);
      // The forwarded subscribe fails per space with internal after its own deadline (R29).
      const sub = await subscribe;
      expect(sub.value.errors).toEqual([{ space: later.id, error: 'internal' }]);
      expect(sub.value.spaces).toEqual([]);
      expect(sub.ms - own.ms).toBeLessThan(CALL_TIMEOUT_MS + 1_500);
    } finally {
      pair.a.child.process.kill('SIGCONT');
    }
    // Once A answers again, the same client's forwarded calls work on, on the same connection.
    await expect
      .poll(
        async () =>
          (await onB.client.call('push', { space: space.id, ucan: onB.ucan, changes: [change()] }, 20_000))
            .ok,
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
    expect(onB.client.ws.readyState).toBe(onB.client.ws.OPEN);
  });

  it('FED-PEER-05 FED-PEER-07 after kill -9 and restart of A, B reconnects and restores the subscription by itself', async () => {
    const space = await seedSharedSpace(pair);
    const onB = await space.member(pair.b);
    await onB.client.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: onB.ucan }] });
    await expect.poll(spacesOfB, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect((await outboundPeer())?.state).toBe('connected');
    expect((await outboundPeer())?.subscriptions).toBeGreaterThanOrEqual(1);
    await pair.killA();
    // While A is down, B's /health says so, and a forwarded call fails promptly with internal.
    await expect
      .poll(async () => (await outboundPeer())?.state, { timeout: 10_000 })
      .toMatch(/^(backoff|connecting)$/);
    expect((await outboundPeer())?.last_error).toBeTruthy();
    const t0 = performance.now();
    const down = await onB.client.call(
      'push',
      { space: space.id, ucan: onB.ucan, changes: [change()] },
      20_000,
    );
    expect(down).toMatchObject({ ok: false, error: 'internal' });
    expect(performance.now() - t0).toBeLessThan(CALL_TIMEOUT_MS * 2 + 1_000);
    await pair.restartA();
    // Counters on A start from zero after the restart; B's restore subscribes again without the client.
    await expect.poll(spacesOfB, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await outboundPeer())?.state, { timeout: 10_000 }).toBe('connected');
    // Neither signal above says A has registered the restored subscription yet (A counts the space before
    // it subscribes B's socket, and B's link is "connected" before its restore runs), so a push racing the
    // restore may precede it: push until one reaches B's client, within a bound.
    const writer = await space.member(pair.a);
    const deadline = performance.now() + 15_000;
    let delivered = false;
    while (!delivered && performance.now() < deadline) {
      const pushed = await writer.client.call('push', {
        space: space.id,
        ucan: writer.ucan,
        changes: [change()],
      });
      delivered = await onB.client
        .waitFor(
          (f) => f.method === 'sync' && params(f).space === space.id && params(f).cursor === pushed.cursor,
          1_000,
        )
        .then(
          () => true,
          () => false,
        );
    }
    expect(delivered).toBe(true);
    // The client's own socket to B never closed.
    expect(onB.client.ws.readyState).toBe(onB.client.ws.OPEN);
  });
});
