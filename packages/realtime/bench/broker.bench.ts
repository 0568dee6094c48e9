/**
 * BROKER-07 / RT-1 fan-out (the reference's events.rs, with the real wire shapes): encode one `sync` or
 * `membership` notification once and hand the same bytes to 10, 100 and 1,000 subscribers, each on its
 * own mailbox. Subscribers take frames through the real OutboundQueue, so the per-recipient cost is what
 * a connection pays before `ws` frames the bytes. Target: 1,000 recipients < 2 ms per notification.
 */
import { Payload, WsMembershipDataCodec, WsSyncDataCodec } from '@less-sync/core';
import { bench, describe } from 'vitest';
import { InMemoryBroker, OutboundQueue, publishToSpace, type Subscriber } from '../src/index.js';

const SPACE = '11111111-1111-1111-1111-111111111111';

class QueueSubscriber implements Subscriber {
  bytes = 0;
  private readonly queue = new OutboundQueue(
    {
      write: (frame, done) => {
        this.bytes += frame.length;
        done();
      },
      backlogged: () => false,
    },
    64,
    56,
  );
  constructor(
    readonly mailboxId: string,
    readonly excludeId: string,
  ) {}
  send(payload: Uint8Array): boolean {
    return this.queue.tryPush(payload);
  }
  isClosed(): boolean {
    return false;
  }
}

async function brokerWith(fanout: number): Promise<InMemoryBroker> {
  const broker = new InMemoryBroker({ maxConnectionsPerMailbox: 1 });
  for (let i = 0; i < fanout; i++)
    await broker.register(new QueueSubscriber(`mailbox-${i}`, `conn-${i}`), [SPACE]);
  return broker;
}

const syncParams = () =>
  Payload.of(WsSyncDataCodec, {
    space: SPACE,
    prev: 99,
    cursor: 100,
    key_generation: 3,
    records: [
      { id: '019400e8-7b5d-7000-8000-000000000001', blob: new TextEncoder().encode('blob-1'), cursor: 100 },
      { id: '019400e8-7b5d-7000-8000-000000000002', blob: new TextEncoder().encode('blob-2'), cursor: 100 },
    ],
  });

const membershipParams = () =>
  Payload.of(WsMembershipDataCodec, {
    space: SPACE,
    cursor: 100,
    entries: [
      {
        chain_seq: 1,
        entry_hash: new TextEncoder().encode('hash'),
        payload: new TextEncoder().encode('payload'),
      },
    ],
  });

for (const fanout of [10, 100, 1000]) {
  describe(`broadcast to ${fanout} subscribers`, async () => {
    const broker = await brokerWith(fanout);
    bench(`sync ×${fanout}`, async () => {
      await publishToSpace(broker, SPACE, 'sync', syncParams(), 'conn-0');
    });
    bench(`membership ×${fanout}`, async () => {
      await publishToSpace(broker, SPACE, 'membership', membershipParams(), 'conn-0');
    });
  });
}
