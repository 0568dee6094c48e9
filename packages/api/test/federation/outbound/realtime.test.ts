import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { UcanKey, ucanCid } from '../../harness/index.js';
import { appendParams } from '../../rpc/fixtures-b.js';
import { type Pair, startPair } from './pair.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

const change = (cursor = 0) => ({
  id: randomUUID(),
  blob: new Uint8Array([1, 2, 3]),
  expected_cursor: cursor,
});

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('origin side, two API instances on loopback (FED-PEER-*, FED-RPC-10..12, R17, R28, R29)', () => {
  it('FED-PEER-01 FED-PEER-03 FED-RPC-10 subscribe opens one signed socket to the home and answers with the local state', async () => {
    pair = await startPair();
    const { home, origin, events } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const b2 = origin.user('b2');
    const c1 = await origin.connect(b1);
    const c2 = await origin.connect(b2);
    const grant = (u: typeof b1) =>
      space.root.issue({ audience: u.key.did, space: space.id, cmd: '/space/read' });
    expect(await c1.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: grant(b1) }] })).toEqual({
      spaces: [{ id: space.id, cursor: 0, key_generation: 1 }],
    });
    await c2.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: grant(b2) }] });
    // One socket for the peer, opened by B's signed handshake with A's federation endpoint (R16).
    expect(events.opened).toEqual(['b.fed.test']);
    expect(events.signatures).toEqual([]);
    expect((await home.federation?.context.quota.peerStatus('b.fed.test'))?.spaces).toBe(1);
    const [status] = pair.manager.status();
    expect(status).toMatchObject({
      domain: pair.homeServer.replace('http://', ''),
      state: 'connected',
      subscriptions: 1,
    });
    expect(pair.origin.services.remote.subscribedThrough('127.0.0.1', space.id)).toBe(true);
  });

  it('R29 FED-RPC-10 B6 a space the home does not know is a per-space error with the home code, not a success', async () => {
    pair = await startPair();
    const { origin } = pair;
    const space = await pair.space();
    await pair.home.query('DELETE FROM spaces WHERE id = $1', [space.id]);
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    const ucan = space.root.issue({ audience: b1.key.did, space: space.id, cmd: '/space/read' });
    const result = await c1.call('subscribe', {
      spaces: [
        { id: space.id, since: 0, ucan },
        { id: b1.personalSpaceId, since: 0 },
      ],
    });
    expect(result).toEqual({
      spaces: [{ id: b1.personalSpaceId, cursor: 0, key_generation: 1 }],
      errors: [{ space: space.id, error: 'not_found' }],
    });
    expect(origin.services.remote.has(pair.manager.status()[0]?.domain ?? '', space.id)).toBe(false);
  });

  it('FED-RPC-11 R28 R17 a forwarded push: A stores it, A and B subscribers each see it once, the pusher gets no echo', async () => {
    pair = await startPair();
    const { home, origin } = pair;
    const space = await pair.space();
    const [b1, b2] = [origin.user('b1'), origin.user('b2')];
    const a1 = home.user('a1');
    const [c1, c2, ca] = [await origin.connect(b1), await origin.connect(b2), await home.connect(a1)];
    for (const [c, u] of [
      [c1, b1],
      [c2, b2],
    ] as const) {
      await c.call('subscribe', {
        spaces: [
          { id: space.id, since: 0, ucan: space.root.issue({ audience: u.key.did, space: space.id }) },
        ],
      });
    }
    await ca.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.root.issue({ audience: a1.key.did, space: space.id }) }],
    });
    const write = space.root.issue({ audience: b1.key.did, space: space.id });
    const pushed = change();
    expect(await c1.call('push', { space: space.id, ucan: write, changes: [pushed] })).toEqual({
      ok: true,
      cursor: 1,
    });
    expect(await home.query('SELECT id FROM records')).toHaveLength(1);
    expect(await origin.query('SELECT id FROM records')).toEqual([]);
    const onA = await ca.nextNotification('sync');
    const onB = await c2.nextNotification('sync');
    for (const n of [onA, onB]) {
      expect(n.params).toMatchObject({ space: space.id, prev: 0, cursor: 1, key_generation: 1 });
      expect((n.params.records as Array<{ id: string }>)[0]?.id).toBe(pushed.id);
    }
    await c2.expectNoNotification('sync', 300);
    await c1.expectNoNotification('sync', 100);
    // A push made on A reaches both B subscribers (cross-server realtime, B4 fixed).
    const fromA = change();
    expect(
      await ca.call('push', {
        space: space.id,
        ucan: space.root.issue({ audience: a1.key.did, space: space.id }),
        changes: [fromA],
      }),
    ).toEqual({ ok: true, cursor: 2 });
    for (const c of [c1, c2]) {
      const n = await c.nextNotification('sync');
      expect(n.params).toMatchObject({ space: space.id, cursor: 2 });
    }
    await c1.expectNoNotification('sync', 200);
  });

  it('FED-RPC-12 a forwarded pull relays the home chunks with the home cursor, counted by B', async () => {
    pair = await startPair();
    const { home, origin } = pair;
    const space = await pair.space();
    const a1 = home.user('a1');
    const ca = await home.connect(a1);
    await ca.call('push', {
      space: space.id,
      ucan: space.root.issue({ audience: a1.key.did, space: space.id }),
      changes: [change(), change()],
    });
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    const ucan = space.root.issue({ audience: b1.key.did, space: space.id, cmd: '/space/read' });
    const reply = await c1.request('pull', { spaces: [{ id: space.id, since: 0, ucan }] });
    expect(reply.chunks.map((c) => c.name)).toEqual([
      'pull.begin',
      'pull.record',
      'pull.record',
      'pull.commit',
    ]);
    expect(reply.chunks[0]?.data).toMatchObject({ space: space.id, cursor: 1 });
    expect(reply.result).toEqual({ _chunks: 4 });
  });

  it('R29 B7 FED-PEER-05 the home quota error reaches the client as rate_limited and the socket stays up', async () => {
    pair = await startPair({ home: { limits: { maxRecordsPerHour: 1 } } });
    const { origin, events } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    const ucan = space.root.issue({ audience: b1.key.did, space: space.id });
    expect(await c1.call('push', { space: space.id, ucan, changes: [change()] })).toEqual({
      ok: true,
      cursor: 1,
    });
    expect(await c1.call('push', { space: space.id, ucan, changes: [change()] })).toEqual({
      ok: false,
      error: 'rate_limited',
    });
    expect(events.opened).toEqual(['b.fed.test']);
    expect(events.closed).toEqual([]);
    expect(pair.manager.status()[0]?.state).toBe('connected');
  });

  it('FED-RPC-11 FED-RPC-12 R29 a grant the home refuses is the home code for push and nothing served locally for pull', async () => {
    pair = await startPair();
    const { origin } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const c1 = await origin.connect(b1);
    // The home's root key differs from the origin's copy: B authorizes, A refuses.
    const other = new UcanKey();
    await pair.home.query('UPDATE spaces SET root_public_key = $1 WHERE id = $2', [
      Buffer.from(other.compressedPublicKey),
      space.id,
    ]);
    const ucan = space.root.issue({ audience: b1.key.did, space: space.id });
    expect(await c1.call('push', { space: space.id, ucan, changes: [change()] })).toEqual({
      ok: false,
      error: 'forbidden',
    });
    const pulled = await c1.request('pull', { spaces: [{ id: space.id, since: 0, ucan }] });
    expect(pulled.chunks).toEqual([]);
    expect(pulled.result).toEqual({ _chunks: 0 });
  });

  it('FED-RPC-10 FED-PEER-06 unsubscribe and closing the last local subscriber are forwarded (B7 fixed)', async () => {
    pair = await startPair();
    const { home, origin } = pair;
    const space = await pair.space();
    const [b1, b2] = [origin.user('b1'), origin.user('b2')];
    const [c1, c2] = [await origin.connect(b1), await origin.connect(b2)];
    for (const [c, u] of [
      [c1, b1],
      [c2, b2],
    ] as const) {
      await c.call('subscribe', {
        spaces: [
          { id: space.id, since: 0, ucan: space.root.issue({ audience: u.key.did, space: space.id }) },
        ],
      });
    }
    const spaces = async () => (await home.federation?.context.quota.peerStatus('b.fed.test'))?.spaces;
    expect(await spaces()).toBe(1);
    c1.notify('unsubscribe', { spaces: [space.id] });
    await new Promise((r) => setTimeout(r, 200));
    expect(await spaces()).toBe(1);
    await c2.close();
    await until(async () => (await spaces()) === 0);
    expect(pair.manager.status()[0]?.subscriptions).toBe(0);
  });

  it('R17 R8 a revocation on the home ends only the revoked remote subscriber on the origin, within a second', async () => {
    pair = await startPair();
    const { home, origin } = pair;
    const space = await pair.space();
    const [b1, b2] = [origin.user('b1'), origin.user('b2')];
    const a1 = home.user('a1');
    const [c1, c2, ca] = [await origin.connect(b1), await origin.connect(b2), await home.connect(a1)];
    const ucans = {
      b1: space.root.issue({ audience: b1.key.did, space: space.id, nonce: 'one' }),
      b2: space.root.issue({ audience: b2.key.did, space: space.id, nonce: 'two' }),
    };
    await c1.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: ucans.b1 }] });
    await c2.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan: ucans.b2 }] });
    const admin = space.root.issue({ audience: a1.key.did, space: space.id, cmd: '/space/admin' });
    const started = Date.now();
    // Revoke the chain of the FIRST subscriber: the home keeps the union of the chains behind its peer socket.
    await ca.call('membership.revoke', { space: space.id, ucan: admin, ucan_cid: ucanCid(ucans.b1) });
    const revoked = await c1.nextNotification('revoked', 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(revoked.params).toEqual({ space: space.id, reason: 'ucan_revoked' });
    await c2.expectNoNotification('revoked', 200);
    // b2 still receives changes made on the home; b1 no longer does.
    await ca.call('push', { space: space.id, ucan: admin, changes: [change()] });
    expect((await c2.nextNotification('sync')).params).toMatchObject({ space: space.id, cursor: 1 });
    await c1.expectNoNotification('sync', 300);
  });

  it('R17 membership notifications from the home reach the origin subscribers', async () => {
    pair = await startPair();
    const { home, origin } = pair;
    const space = await pair.space();
    const b1 = origin.user('b1');
    const a1 = home.user('a1');
    const [c1, ca] = [await origin.connect(b1), await home.connect(a1)];
    await c1.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.root.issue({ audience: b1.key.did, space: space.id }) }],
    });
    const ucan = space.root.issue({ audience: a1.key.did, space: space.id });
    await ca.call('membership.append', appendParams(space.id, 0, new Uint8Array([7, 8, 9]), undefined, ucan));
    const n = await c1.nextNotification('membership', 3000);
    expect(n.params).toMatchObject({ space: space.id });
  });
});
