import { decodeCbor } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import { InvitationNotifier } from '../../src/notify/invitation.js';

interface FakeTimer {
  fn: () => void;
  ms: number;
  cleared: boolean;
}

function fakeClock() {
  const timers: FakeTimer[] = [];
  return {
    timers,
    setTimeout(fn: () => void, ms: number) {
      const timer = { fn, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle: unknown) {
      (handle as FakeTimer).cleared = true;
    },
  };
}

function recordingBroker() {
  const sent: { mailbox: string; frame: Uint8Array }[] = [];
  return {
    sent,
    async broadcastMailbox(mailbox: string, frame: Uint8Array) {
      sent.push({ mailbox, frame });
      return 1;
    },
  };
}

const MAILBOX = 'b'.repeat(64);

describe('InvitationNotifier', () => {
  it('RPC-INV-6 sends {type:2, method:"invitation", params:{}} to the mailbox after 1000 + jitter ms', async () => {
    const clock = fakeClock();
    const broker = recordingBroker();
    const notifier = new InvitationNotifier({ broker, clock, randomInt: (max) => max - 1 });
    expect(notifier.schedule(MAILBOX)).toBe('scheduled');
    expect(clock.timers).toHaveLength(1);
    expect(clock.timers[0]?.ms).toBe(4999);
    expect(broker.sent).toHaveLength(0);
    clock.timers[0]?.fn();
    await Promise.resolve();
    expect(broker.sent).toHaveLength(1);
    expect(broker.sent[0]?.mailbox).toBe(MAILBOX);
    expect(decodeCbor(broker.sent[0]!.frame)).toEqual({ type: 2, method: 'invitation', params: {} });
    expect(notifier.pending).toBe(0);
  });

  it('RPC-INV-6 the delay stays within 1000–4999 ms with the default random source', () => {
    const clock = fakeClock();
    const notifier = new InvitationNotifier({ broker: recordingBroker(), clock });
    for (let i = 0; i < 50; i++) notifier.schedule(`${i}`.padStart(64, '0'));
    for (const timer of clock.timers) {
      expect(timer.ms).toBeGreaterThanOrEqual(1000);
      expect(timer.ms).toBeLessThanOrEqual(4999);
    }
  });

  it('RPC-INV-6 a second invitation to a mailbox with a pending send is coalesced', () => {
    const clock = fakeClock();
    const notifier = new InvitationNotifier({ broker: recordingBroker(), clock, randomInt: () => 0 });
    expect(notifier.schedule(MAILBOX)).toBe('scheduled');
    expect(notifier.schedule(MAILBOX)).toBe('coalesced');
    expect(clock.timers).toHaveLength(1);
    expect(clock.timers[0]?.ms).toBe(1000);
  });

  it('RPC-INV-6 pending sends are bounded: past maxPending a send is dropped and reported', () => {
    const errors: string[] = [];
    const notifier = new InvitationNotifier({
      broker: recordingBroker(),
      clock: fakeClock(),
      config: { maxPending: 2 },
      onError: (_err, mailbox) => errors.push(mailbox),
    });
    expect(notifier.schedule('1')).toBe('scheduled');
    expect(notifier.schedule('2')).toBe('scheduled');
    expect(notifier.schedule('3')).toBe('dropped');
    expect(errors).toEqual(['3']);
    expect(notifier.pending).toBe(2);
  });

  it('RPC-INV-6 close() cancels every pending send and refuses new ones', async () => {
    const clock = fakeClock();
    const broker = recordingBroker();
    const notifier = new InvitationNotifier({ broker, clock });
    notifier.schedule('1');
    notifier.schedule('2');
    notifier.close();
    expect(clock.timers.every((t) => t.cleared)).toBe(true);
    expect(notifier.pending).toBe(0);
    expect(notifier.schedule('3')).toBe('closed');
    // A timer that raced the close does not send.
    clock.timers[0]?.fn();
    await Promise.resolve();
    expect(broker.sent).toHaveLength(0);
  });

  it('RPC-INV-6 a failed broadcast is reported, never thrown', async () => {
    const clock = fakeClock();
    const errors: unknown[] = [];
    const notifier = new InvitationNotifier({
      broker: { broadcastMailbox: () => Promise.reject(new Error('boom')) },
      clock,
      config: { jitterMs: 0 },
      onError: (err) => errors.push(err),
    });
    notifier.schedule(MAILBOX);
    expect(clock.timers[0]?.ms).toBe(1000);
    clock.timers[0]?.fn();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
  });

  it('RPC-INV-6 real timers: the default clock fires and close() leaves no handle behind', async () => {
    const broker = recordingBroker();
    const notifier = new InvitationNotifier({ broker, config: { minDelayMs: 5, jitterMs: 0 } });
    notifier.schedule(MAILBOX);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(broker.sent).toHaveLength(1);
    notifier.schedule(MAILBOX);
    notifier.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(broker.sent).toHaveLength(1);
  });
});
