import { decodeCbor } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import {
  BrokerError,
  InMemoryBroker,
  isBrokerError,
  publishToMailbox,
  publishToSpace,
  type Subscriber,
} from '../src/index.js';

class MockSubscriber implements Subscriber {
  readonly inbox: Uint8Array[] = [];
  closed = false;
  sendOk = true;
  constructor(
    readonly mailboxId: string,
    readonly excludeId: string,
  ) {}
  send(payload: Uint8Array): boolean {
    if (!this.sendOk) return false;
    this.inbox.push(payload);
    return true;
  }
  isClosed(): boolean {
    return this.closed;
  }
}

const EVENT = new TextEncoder().encode('event');

describe('InMemoryBroker', () => {
  it('BROKER-04 BROKER-02 register_enforces_mailbox_limit: over the limit refuses without consuming state; disabled limit still counts', async () => {
    const broker = new InMemoryBroker({ maxConnectionsPerMailbox: 1 });
    await broker.register(new MockSubscriber('mailbox-a', 'conn-a'), ['space-a']);
    const second = new MockSubscriber('mailbox-a', 'conn-b');
    const err = await broker.register(second, ['space-a']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(isBrokerError(err, 'too_many_connections')).toBe(true);
    expect((err as BrokerError).message).toBe('too many connections');
    expect(await broker.connectionCount('mailbox-a')).toBe(1);

    broker.setMailboxLimitEnabled(false);
    await broker.register(second, ['space-a']);
    expect(await broker.connectionCount('mailbox-a')).toBe(2);
    expect(await broker.connectionCount('unknown')).toBe(0);
  });

  it('BROKER-04 max 0 refuses everyone; ids start at 1 and are never reused (BROKER-03)', async () => {
    await expect(
      new InMemoryBroker({ maxConnectionsPerMailbox: 0 }).register(new MockSubscriber('m', 'c')),
    ).rejects.toThrow('too many connections');
    const broker = new InMemoryBroker();
    const a = await broker.register(new MockSubscriber('m', 'a'));
    await broker.unregister(a);
    const b = await broker.register(new MockSubscriber('m', 'b'));
    expect(a).toBe(1);
    expect(b).toBe(2);
  });

  it('RT-1 BROKER-07 broadcast_targets_space_and_respects_exclude_id', async () => {
    const broker = new InMemoryBroker();
    const a = new MockSubscriber('mailbox-a', 'conn-a');
    const b = new MockSubscriber('mailbox-a', 'conn-b');
    const c = new MockSubscriber('mailbox-b', 'conn-c');
    await broker.register(a, ['space-a']);
    await broker.register(b, ['space-a']);
    await broker.register(c, ['space-b']);
    expect(await broker.broadcastSpace('space-a', 'conn-a', EVENT)).toBe(1);
    expect([a.inbox.length, b.inbox.length, c.inbox.length]).toEqual([0, 1, 0]);
  });

  it('RT-1 BROKER-07 hasAudience is false only when a broadcast would reach nobody', async () => {
    const broker = new InMemoryBroker({ maxConnectionsPerMailbox: 10 });
    const space = '0b0a7f5e-35c2-4d6c-9a61-6b1f3d2e4c5a';
    expect(broker.hasAudience(space, 'conn-a')).toBe(false);
    const a = new MockSubscriber('m', 'conn-a');
    const ida = await broker.register(a, [space]);
    // Only the sender listens: nobody to tell. Excluding nobody, the one subscriber is an audience.
    expect(broker.hasAudience(space, 'conn-a')).toBe(false);
    expect(broker.hasAudience(space.toUpperCase(), 'conn-b')).toBe(true);
    expect(broker.hasAudience(space, '')).toBe(true);
    const idb = await broker.register(new MockSubscriber('m', 'conn-b'), [space]);
    expect(broker.hasAudience(space, 'conn-a')).toBe(true);
    await broker.unregister(idb);
    await broker.removeSpaces(ida, [space]);
    expect(broker.hasAudience(space, '')).toBe(false);
  });

  it('RT-1 the same payload bytes reach every subscriber (encoded once, never copied)', async () => {
    const broker = new InMemoryBroker({ maxConnectionsPerMailbox: 10 });
    const subs = Array.from({ length: 5 }, (_, i) => new MockSubscriber('m', `c${i}`));
    for (const s of subs) await broker.register(s, ['space']);
    const payload = Uint8Array.of(1, 2, 3);
    expect(await broker.broadcastSpace('space', '', payload)).toBe(5);
    for (const s of subs) expect(s.inbox[0]).toBe(payload);
  });

  it('BROKER-06 add_and_remove_spaces_update_fanout', async () => {
    const broker = new InMemoryBroker();
    const sub = new MockSubscriber('mailbox-a', 'conn-a');
    const id = await broker.register(sub, []);
    expect(await broker.broadcastSpace('space-a', '', EVENT)).toBe(0);
    await broker.addSpaces(id, ['space-a']);
    await broker.addSpaces(id, ['space-a']); // idempotent
    expect(await broker.broadcastSpace('space-a', '', EVENT)).toBe(1);
    expect(sub.inbox).toHaveLength(1);
    await broker.removeSpaces(id, ['space-a', 'never-added']);
    expect(await broker.broadcastSpace('space-a', '', EVENT)).toBe(0);
    expect(sub.inbox).toHaveLength(1);
    expect(broker.spaceSize('space-a')).toBe(0);
  });

  it('BROKER-06 unknown subscriber ids are refused by add and remove', async () => {
    const broker = new InMemoryBroker();
    const id = await broker.register(new MockSubscriber('m', 'c'));
    await broker.unregister(id);
    await expect(broker.addSpaces(id, ['s'])).rejects.toSatisfy((e) =>
      isBrokerError(e, 'subscriber_not_found'),
    );
    await expect(broker.removeSpaces(id, ['s'])).rejects.toThrow('subscriber not found');
  });

  it('BROKER-07 R7 broadcast_evicts_closed_or_slow_subscribers and frees their mailbox slots', async () => {
    const broker = new InMemoryBroker({ maxConnectionsPerMailbox: 2 });
    const closed = new MockSubscriber('mailbox-a', 'conn-a');
    const slow = new MockSubscriber('mailbox-a', 'conn-b');
    closed.closed = true;
    slow.sendOk = false;
    await broker.register(closed, ['space-a']);
    await broker.register(slow, ['space-a']);
    expect(await broker.broadcastSpace('space-a', '', EVENT)).toBe(0);
    expect(await broker.connectionCount('mailbox-a')).toBe(0);
    expect(broker.size).toBe(0);
    // The slots are really free: two new registrations fit.
    await broker.register(new MockSubscriber('mailbox-a', 'x'));
    await broker.register(new MockSubscriber('mailbox-a', 'y'));
  });

  it('BROKER-07 an excluded but closed sender is still evicted', async () => {
    const broker = new InMemoryBroker();
    const sender = new MockSubscriber('m', 'conn-a');
    await broker.register(sender, ['s']);
    sender.closed = true;
    expect(await broker.broadcastSpace('s', 'conn-a', EVENT)).toBe(0);
    expect(broker.size).toBe(0);
  });

  it('BROKER-05 unregister_cleans_indexes_and_rejects_unknown_subscriber', async () => {
    const broker = new InMemoryBroker();
    const id = await broker.register(new MockSubscriber('mailbox-a', 'conn-a'), ['space-a']);
    await broker.unregister(id);
    expect(await broker.connectionCount('mailbox-a')).toBe(0);
    expect(await broker.broadcastSpace('space-a', '', EVENT)).toBe(0);
    await expect(broker.unregister(id)).rejects.toSatisfy((e) => isBrokerError(e, 'subscriber_not_found'));
  });

  it('BROKER-08 broadcast_mailbox reaches every connection of the mailbox, no exclusion, evicting the slow', async () => {
    const broker = new InMemoryBroker();
    const a = new MockSubscriber('mailbox-a', 'conn-a');
    const b = new MockSubscriber('mailbox-a', 'conn-b');
    const other = new MockSubscriber('mailbox-b', 'conn-c');
    await broker.register(a);
    await broker.register(b);
    await broker.register(other);
    expect(await broker.broadcastMailbox('mailbox-a', EVENT)).toBe(2);
    expect(other.inbox).toHaveLength(0);
    b.sendOk = false;
    expect(await broker.broadcastMailbox('mailbox-a', EVENT)).toBe(1);
    expect(await broker.connectionCount('mailbox-a')).toBe(1);
    expect(await broker.broadcastMailbox('nobody', EVENT)).toBe(0);
  });

  it('R5 BROKER-06 two spellings of one UUID are one space (upper case, simple hex)', async () => {
    const broker = new InMemoryBroker();
    const sub = new MockSubscriber('m', 'c');
    const id = await broker.register(sub, ['6DFE56D8-7987-439F-B044-EA19E633EF46']);
    expect(await broker.broadcastSpace('6dfe56d8-7987-439f-b044-ea19e633ef46', '', EVENT)).toBe(1);
    expect(await broker.broadcastSpace('6dfe56d87987439fb044ea19e633ef46', '', EVENT)).toBe(1);
    await broker.removeSpaces(id, ['6dfe56d87987439fb044ea19e633ef46']);
    expect(await broker.broadcastSpace('6dfe56d8-7987-439f-b044-ea19e633ef46', '', EVENT)).toBe(0);
  });

  it('BROKER-09 indexes stay consistent under random register/unregister/add/remove/broadcast', async () => {
    const broker = new InMemoryBroker({ maxConnectionsPerMailbox: 4 });
    const live = new Map<number, { sub: MockSubscriber; spaces: Set<string> }>();
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 2000; step++) {
      const op = rnd(5);
      const ids = [...live.keys()];
      if (op === 0 || ids.length === 0) {
        const sub = new MockSubscriber(`m${rnd(3)}`, `c${step}`);
        const space = `s${rnd(4)}`;
        try {
          live.set(await broker.register(sub, [space]), { sub, spaces: new Set([space]) });
        } catch (e) {
          expect(isBrokerError(e, 'too_many_connections')).toBe(true);
        }
      } else {
        const id = ids[rnd(ids.length)]!;
        const entry = live.get(id)!;
        const space = `s${rnd(4)}`;
        if (op === 1) {
          await broker.unregister(id as never);
          live.delete(id);
        } else if (op === 2) {
          await broker.addSpaces(id as never, [space]);
          entry.spaces.add(space);
        } else if (op === 3) {
          await broker.removeSpaces(id as never, [space]);
          entry.spaces.delete(space);
        } else {
          entry.sub.sendOk = rnd(3) !== 0;
          const expected = [...live.values()].filter((e) => e.spaces.has(space) && e.sub.sendOk).length;
          expect(await broker.broadcastSpace(space, '', EVENT)).toBe(expected);
          for (const [k, e] of live) if (e.spaces.has(space) && !e.sub.sendOk) live.delete(k);
          entry.sub.sendOk = true;
        }
      }
      for (let i = 0; i < 4; i++) {
        const expected = [...live.values()].filter((e) => e.spaces.has(`s${i}`)).length;
        expect(broker.spaceSize(`s${i}`)).toBe(expected);
      }
      expect(broker.size).toBe(live.size);
      for (const m of ['m0', 'm1', 'm2']) {
        const expected = [...live.values()].filter((e) => e.sub.mailboxId === m).length;
        expect(await broker.connectionCount(m)).toBe(expected);
        expect(expected).toBeLessThanOrEqual(4);
      }
    }
  });

  it('publishToSpace and publishToMailbox encode the notification once as {type:2, method, params}', async () => {
    const broker = new InMemoryBroker();
    const a = new MockSubscriber('m', 'conn-a');
    const b = new MockSubscriber('m', 'conn-b');
    await broker.register(a, ['s']);
    await broker.register(b, ['s']);
    expect(
      await publishToSpace(broker, 's', 'revoked', { space: 's', reason: 'ucan_revoked' }, 'conn-a'),
    ).toBe(1);
    expect(decodeCbor(b.inbox[0]!)).toEqual({
      type: 2,
      method: 'revoked',
      params: { space: 's', reason: 'ucan_revoked' },
    });
    expect(await publishToMailbox(broker, 'm', 'invitation', {})).toBe(2);
    expect(Buffer.from(a.inbox[0]!).toString('hex')).toBe(
      // rpc.md / protocol.md §7 invitation notification vector.
      ['a3', '6474797065', '02', '666d6574686f64', '6a696e7669746174696f6e', '66706172616d73', 'a0'].join(''),
    );
  });
});
