import { decodeCbor, encodeNotification } from '@less-sync/core';
import { describe, expect, it, vi } from 'vitest';
import {
  type ChangeResolver,
  ClusterBroker,
  type ConnectionSlots,
  decodeMessage,
  encodeMessage,
  MemoryBus,
  MemoryTransport,
  PresenceRegistry,
  type Subscriber,
} from '../../src/index.js';

const SPACE = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';

function sink(mailboxId = 'mb', excludeId = 'c1') {
  const frames: Uint8Array[] = [];
  const sub: Subscriber = {
    send: (p) => frames.push(p) > 0,
    excludeId,
    mailboxId,
    isClosed: () => false,
  };
  return { sub, frames, methods: () => frames.map((f) => (decodeCbor(f) as { method: string }).method) };
}

function logger() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_f: Record<string, unknown>, m: string) => warnings.push(m) } };
}

/** A database stand-in: per space an ordered list of change frames, cursor = their count. */
function resolver() {
  const changes = new Map<string, Uint8Array[]>();
  const r: ChangeResolver & { add(space: string): number } = {
    add(space) {
      const list = changes.get(space) ?? [];
      list.push(encodeNotification('sync', { space, cursor: list.length + 1 }));
      changes.set(space, list);
      return list.length;
    },
    cursor: async (space) => changes.get(space)?.length ?? 0,
    changesSince: async (space, since) => {
      const list = changes.get(space) ?? [];
      return { frames: list.slice(since), cursor: list.length };
    },
  };
  return r;
}

async function pair(opts: { resolver?: ChangeResolver; presence?: PresenceRegistry } = {}) {
  const bus = new MemoryBus();
  const ta = new MemoryTransport(bus);
  const tb = new MemoryTransport(bus);
  const a = new ClusterBroker({ transport: ta, instanceId: 'A', maxConnectionsPerMailbox: 10, ...opts });
  const b = new ClusterBroker({ transport: tb, instanceId: 'B', maxConnectionsPerMailbox: 10, ...opts });
  await a.start();
  await b.start();
  return { a, b, ta, tb, bus };
}

describe('ClusterBroker over the memory transport', () => {
  it('BROKER-10: a space notification published on one instance reaches subscribers of another', async () => {
    const { a, b } = await pair();
    const onA = sink('mb', 'a1');
    const onB = sink('mb', 'b1');
    await a.register(onA.sub, [SPACE]);
    await b.register(onB.sub, [SPACE]);
    const frame = encodeNotification('sync', { space: SPACE, cursor: 7 });
    expect(await a.broadcastSpace(SPACE, 'a1', frame)).toBe(0);
    await vi.waitFor(() => expect(onB.frames).toHaveLength(1));
    expect(Buffer.from(onB.frames[0] as Uint8Array).equals(Buffer.from(frame))).toBe(true);
    expect(onA.frames).toHaveLength(0);
    await a.close();
    await b.close();
  });

  it('BROKER-10: a relaying broker always has an audience (other instances may listen and track the cursor)', async () => {
    const { a, b } = await pair();
    expect(a.hasAudience(SPACE, 'c1')).toBe(true);
    expect(a.hasAudience(OTHER, '')).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('BROKER-10: the sender exclusion travels with the hint and unwatched spaces are skipped', async () => {
    const { a, b } = await pair();
    const excluded = sink('mb', 'same-conn');
    const other = sink('mb2', 'b2');
    await b.register(excluded.sub, [SPACE]);
    await b.register(other.sub, [SPACE]);
    await a.broadcastSpace(SPACE, 'same-conn', encodeNotification('sync', { cursor: 1 }));
    await a.broadcastSpace(OTHER, '', encodeNotification('sync', { cursor: 1 }));
    await vi.waitFor(() => expect(other.frames).toHaveLength(1));
    expect(excluded.frames).toHaveLength(0);
    expect(b.watchedSpaces()).toEqual([SPACE]);
    await a.close();
    await b.close();
  });

  it('CLUSTER-03 relays mailbox broadcasts and revocations (R8) to other instances only', async () => {
    const { a, b } = await pair();
    const onB = sink('inbox');
    await b.register(onB.sub);
    const revoked: string[] = [];
    b.onRevocation((space, cid, reason) => revoked.push(`${space}/${cid}/${reason}`));
    a.onRevocation(() => revoked.push('self'));
    await a.broadcastMailbox('inbox', encodeNotification('mailbox', { n: 1 }));
    await a.publishRevocation(SPACE.toUpperCase(), 'cid-1', 'revoked');
    await vi.waitFor(() => expect(revoked).toEqual([`${SPACE}/cid-1/revoked`]));
    await vi.waitFor(() => expect(onB.methods()).toEqual(['mailbox']));
    await a.close();
    await b.close();
  });

  it('ignores malformed hints and logs them instead of throwing', async () => {
    const bus = new MemoryBus();
    const { warnings, log } = logger();
    const b = new ClusterBroker({
      transport: new MemoryTransport(bus),
      instanceId: 'B',
      maxConnectionsPerMailbox: 10,
      logger: log,
    });
    await b.start();
    const onB = sink();
    await b.register(onB.sub, [SPACE]);
    const raw = new MemoryTransport(bus);
    await raw.start({ message: () => {}, resumed: () => {} });
    for (const body of [
      'not json',
      '42',
      '{"t":"s","o":"X"}',
      '{"t":"q","o":"X"}',
      '{"t":"s","o":"X","s":"x","k":"k","x":"","c":1.5}',
    ])
      await raw.publish(body);
    await vi.waitFor(() => expect(warnings.filter((w) => w.includes('malformed'))).toHaveLength(5));
    expect(onB.frames).toHaveLength(0);
    await b.close();
    await raw.close();
  });

  it('CLUSTER-01 reads an oversized change back by cursor instead of carrying it', async () => {
    const db = resolver();
    const { a, b } = await pair({ resolver: db });
    const onB = sink('mb', 'b1');
    await b.register(onB.sub, [SPACE]);
    await vi.waitFor(async () => expect(await db.cursor(SPACE)).toBe(0));
    const cursor = db.add(SPACE);
    const big = encodeNotification('sync', { cursor, blob: new Uint8Array(70 * 1024) });
    await a.broadcastSpace(SPACE, '', big);
    await vi.waitFor(() => expect(onB.frames).toHaveLength(1));
    // The database copy (small), not the oversized original.
    expect((onB.frames[0] as Uint8Array).byteLength).toBeLessThan(1024);
    await a.close();
    await b.close();
  });

  it('CLUSTER-02 catches up after a transport gap from the last delivered cursor', async () => {
    const db = resolver();
    const { a, b, tb, bus } = await pair({ resolver: db });
    const seen: string[] = [];
    const spy = new MemoryTransport(bus);
    await spy.start({ message: (body) => seen.push(body), resumed: () => {} });
    const onB = sink('mb', 'b1');
    await b.register(onB.sub, [SPACE]);
    const c1 = db.add(SPACE);
    await a.broadcastSpace(SPACE, '', encodeNotification('sync', { cursor: c1 }));
    await vi.waitFor(() => expect(onB.frames).toHaveLength(1));
    tb.disconnect();
    expect(b.health().state).toBe('degraded');
    for (let i = 0; i < 2; i++) {
      const c = db.add(SPACE);
      await a.broadcastSpace(SPACE, '', encodeNotification('sync', { cursor: c }));
    }
    // Both hints went over the bus while B was off it.
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    expect(onB.frames).toHaveLength(1);
    tb.reconnect();
    expect(b.health().state).toBe('ok');
    await vi.waitFor(() => expect(onB.frames).toHaveLength(3));
    const cursors = onB.frames.map((f) => (decodeCbor(f) as { params: { cursor: number } }).params.cursor);
    expect(cursors).toEqual([1, 2, 3]);
    await spy.close();
    await a.close();
    await b.close();
  });

  it('a stale cursor-only hint is not delivered twice', async () => {
    const db = resolver();
    const bus = new MemoryBus();
    const b = new ClusterBroker({
      transport: new MemoryTransport(bus),
      instanceId: 'B',
      maxConnectionsPerMailbox: 10,
      resolver: db,
    });
    await b.start();
    const raw = new MemoryTransport(bus);
    await raw.start({ message: () => {}, resumed: () => {} });
    db.add(SPACE);
    const onB = sink();
    await b.register(onB.sub, [SPACE]);
    const hint = encodeMessage({ t: 's', o: 'A', s: SPACE, k: 'sync', x: '', c: 2 });
    db.add(SPACE);
    await raw.publish(hint);
    await raw.publish(hint);
    await vi.waitFor(() => expect(onB.frames).toHaveLength(1));
    await raw.publish(encodeMessage({ t: 's', o: 'A', s: SPACE, k: 'sync', x: '', c: 1 }));
    await raw.publish(encodeMessage({ t: 's', o: 'A', s: SPACE, k: 'sync', x: '' }));
    await raw.publish(encodeMessage({ t: 's', o: 'B', s: SPACE, k: 'sync', x: '', c: 9 }));
    await b.close();
    expect(onB.frames).toHaveLength(1);
    await raw.close();
  });

  it('PRESENCE-1: presence from another instance is mirrored, listed and dropped with its instance', async () => {
    const pa = new PresenceRegistry();
    const pb = new PresenceRegistry();
    const bus = new MemoryBus();
    const a = new ClusterBroker({
      transport: new MemoryTransport(bus),
      instanceId: 'A',
      maxConnectionsPerMailbox: 5,
      presence: pa,
    });
    const b = new ClusterBroker({
      transport: new MemoryTransport(bus),
      instanceId: 'B',
      maxConnectionsPerMailbox: 5,
      presence: pb,
    });
    await a.start();
    await b.start();
    const onB = sink('mb', 'b1');
    await b.register(onB.sub, [SPACE]);
    const data = new Uint8Array([1, 2, 3]);
    await a.broadcastSpace(SPACE, 'a1', encodeNotification('presence', { space: SPACE, peer: 'p1', data }));
    await vi.waitFor(() => expect(pb.peers(SPACE, 'b1')).toEqual([{ peer: 'p1', data }]));
    expect(pb.mirrorOrigins()).toEqual(new Set(['A']));
    await a.broadcastSpace(SPACE, 'a1', encodeNotification('presence.leave', { space: SPACE, peer: 'p1' }));
    await vi.waitFor(() => expect(pb.peers(SPACE, 'b1')).toEqual([]));
    await a.broadcastSpace(SPACE, 'a1', encodeNotification('presence', { space: SPACE, peer: 'p2', data }));
    await vi.waitFor(() => expect(pb.peers(SPACE, 'b1')).toHaveLength(1));
    expect(b.dropInstance('A')).toBe(1);
    expect(pb.peers(SPACE, 'b1')).toEqual([]);
    expect(onB.methods()).toEqual(['presence', 'presence.leave', 'presence', 'presence.leave']);
    await a.close();
    await b.close();
  });

  it('BROKER-04: service-wide slots cap connections and are released on unregister', async () => {
    const taken = new Map<string, string>();
    const slots: ConnectionSlots = {
      acquire: async (mb, slot, limit) => {
        if ([...taken.values()].filter((m) => m === mb).length >= limit) return false;
        taken.set(slot, mb);
        return true;
      },
      release: async (slot) => void taken.delete(slot),
      count: async (mb) => [...taken.values()].filter((m) => m === mb).length,
    };
    const broker = new ClusterBroker({
      transport: new MemoryTransport(),
      instanceId: 'A',
      maxConnectionsPerMailbox: 1,
      slots,
    });
    await broker.start();
    const id = await broker.register(sink('mb').sub, [SPACE]);
    await expect(broker.register(sink('mb').sub)).rejects.toThrow();
    expect(await broker.connectionCount('mb')).toBe(1);
    await broker.addSpaces(id, [OTHER]);
    expect(broker.watchedSpaces().sort()).toEqual([SPACE, OTHER].sort());
    await broker.removeSpaces(id, [SPACE]);
    expect(broker.watchedSpaces()).toEqual([OTHER]);
    await broker.unregister(id);
    expect(await broker.connectionCount('mb')).toBe(0);
    expect(broker.watchedSpaces()).toEqual([]);
    await expect(broker.unregister(id)).rejects.toThrow();
    await broker.close();
  });

  it('relay off: nothing is published', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    const spy = new MemoryTransport(bus);
    await spy.start({ message: (b) => seen.push(b), resumed: () => {} });
    const a = new ClusterBroker({
      transport: new MemoryTransport(bus),
      instanceId: 'A',
      maxConnectionsPerMailbox: 5,
      relay: false,
    });
    await a.start();
    const local = sink();
    // Nothing relays: only local subscribers other than the sender are an audience.
    expect(a.hasAudience(SPACE, 'c1')).toBe(false);
    await a.register(local.sub, [SPACE]);
    expect(a.hasAudience(SPACE, 'c1')).toBe(false);
    expect(a.hasAudience(SPACE, '')).toBe(true);
    expect(await a.broadcastSpace(SPACE, '', encodeNotification('sync', { cursor: 1 }))).toBe(1);
    await a.broadcastMailbox('mb', encodeNotification('m', {}));
    await a.close();
    await spy.publish(encodeMessage({ t: 'm', o: 'Z', m: 'x', p: '' }));
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(decodeMessage(seen[0] as string)?.o).toBe('Z');
    await spy.close();
  });
});
