import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, type FrameSink, OutboundQueue } from '../src/index.js';

class ManualSink implements FrameSink {
  readonly written: Uint8Array[] = [];
  /** Which written frames asked to be flushed at once. */
  readonly flushed: boolean[] = [];
  /** Pretend the kernel buffer is full (a slow reader). */
  full = true;
  backlogged(): boolean {
    return this.full && this.callbacks.length > 0;
  }
  private readonly callbacks: Array<(err?: Error) => void> = [];
  write(frame: Uint8Array, done: (err?: Error) => void, flush = false): void {
    this.written.push(frame);
    this.flushed.push(flush);
    this.callbacks.push(done);
  }
  flush(n = Number.POSITIVE_INFINITY): void {
    for (let i = 0; i < n && this.callbacks.length > 0; i++) this.callbacks.shift()!();
  }
}

const frame = (n: number) => Uint8Array.of(n);

describe('OutboundQueue (WS-OUTBOUND-1, R7)', () => {
  it('WS-OUTBOUND-1 broadcasts never wait: tryPush fails once capacity frames are unflushed', () => {
    const sink = new ManualSink();
    const q = new OutboundQueue(sink, 64);
    for (let i = 0; i < 64; i++) expect(q.tryPush(frame(i))).toBe(true);
    expect(q.tryPush(frame(64))).toBe(false);
    expect(q.pending).toBe(64);
    sink.flush(1);
    expect(q.tryPush(frame(65))).toBe(true);
  });

  it('WS-OUTBOUND-1 replies wait for room, in call order, and leave the broadcast reserve free', async () => {
    const sink = new ManualSink();
    const q = new OutboundQueue(sink, 4, 2);
    await q.push(frame(1));
    await q.push(frame(2));
    const order: number[] = [];
    const p3 = q.push(frame(3)).then(() => order.push(3));
    const p4 = q.push(frame(4)).then(() => order.push(4));
    await Promise.resolve();
    expect(sink.written).toHaveLength(2);
    // The reserve still takes broadcasts while replies wait.
    expect(q.tryPush(frame(100))).toBe(true);
    expect(q.tryPush(frame(101))).toBe(true);
    expect(q.tryPush(frame(102))).toBe(false);
    sink.flush(4);
    await Promise.all([p3, p4]);
    expect(order).toEqual([3, 4]);
    expect(sink.written.map((f) => f[0])).toEqual([1, 2, 100, 101, 3, 4]);
  });

  it('WS-OUTBOUND-1 tryPushReply writes only with room and nobody waiting ahead, so order holds', async () => {
    const sink = new ManualSink();
    const q = new OutboundQueue(sink, 4, 2);
    expect(q.tryPushReply(frame(1))).toBe(true);
    expect(q.tryPushReply(frame(2))).toBe(true);
    expect(q.tryPushReply(frame(3))).toBe(false);
    const waiting = q.push(frame(3));
    sink.flush(1);
    // Room again, but frame 3 waits ahead: a later reply must not overtake it.
    expect(sink.written.map((f) => f[0])).toEqual([1, 2, 3]);
    await waiting;
    sink.flush(1);
    expect(q.tryPushReply(frame(4))).toBe(true);
    expect(sink.written.map((f) => f[0])).toEqual([1, 2, 3, 4]);
    q.close();
    expect(() => q.tryPushReply(frame(5))).toThrow(ConnectionClosedError);
  });

  it('WS-OUTBOUND-1 a final response keeps its flush mark, also when it had to wait for room', async () => {
    const sink = new ManualSink();
    const q = new OutboundQueue(sink, 2, 1);
    await q.push(frame(1));
    const waiting = q.push(frame(2), true);
    expect(sink.written).toHaveLength(1);
    sink.flush(1);
    await waiting;
    sink.flush(1);
    await q.push(frame(3), true);
    expect(sink.flushed).toEqual([false, true, true]);
  });

  it('WS-CLOSE-1 closing rejects waiting replies and refuses new frames', async () => {
    const sink = new ManualSink();
    const q = new OutboundQueue(sink, 1);
    await q.push(frame(1));
    const waiting = q.push(frame(2));
    q.close();
    q.close();
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(q.push(frame(3))).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(q.tryPush(frame(4))).toBe(false);
    expect(q.isClosed).toBe(true);
    sink.flush();
    expect(q.pending).toBe(0);
  });

  it('WS-OUTBOUND-1 frames the kernel took in one tick do not count as a full queue', async () => {
    const sink = new ManualSink();
    sink.full = false;
    const q = new OutboundQueue(sink, 2);
    for (let i = 0; i < 10; i++) expect(q.tryPush(frame(i))).toBe(true);
    await q.push(frame(10));
    sink.full = true;
    expect(q.tryPush(frame(11))).toBe(false);
  });

  it('refuses a nonsensical capacity', () => {
    expect(() => new OutboundQueue(new ManualSink(), 0)).toThrow(RangeError);
    expect(() => new OutboundQueue(new ManualSink(), 4, 5)).toThrow(RangeError);
  });
});
