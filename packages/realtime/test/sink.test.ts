import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { OutboundQueue } from '../src/connection/outbound.js';
import { MAX_CORKED_BYTES, TickCorkedSink } from '../src/connection/sink.js';

/** A TCP socket stand-in: counts cork depth and what each uncork flushed as one batch. */
class FakeTransport {
  depth = 0;
  corks = 0;
  readonly batches: number[] = [];
  pending = 0;
  /** Bytes the "kernel" refuses (a slow reader): they stay buffered after a flush. */
  stuck = 0;
  cork(): void {
    this.depth++;
    this.corks++;
  }
  uncork(): void {
    this.depth--;
    if (this.depth === 0 && this.pending > 0) {
      this.batches.push(this.pending);
      this.pending = 0;
    }
  }
}

/** A `ws` stand-in whose buffered bytes include corked ones, as `ws` reports them. */
class FakeSocket {
  readonly sent: Uint8Array[] = [];
  constructor(private readonly transport: FakeTransport) {}
  get bufferedAmount(): number {
    return this.transport.stuck + this.transport.pending;
  }
  send(frame: Uint8Array, _opts: { binary: boolean }, done: (err?: Error) => void): void {
    this.sent.push(frame);
    if (this.transport.depth > 0) this.transport.pending++;
    else this.transport.batches.push(1);
    done();
  }
}

function setup(maxCorkedBytes?: number) {
  const transport = new FakeTransport();
  const socket = new FakeSocket(transport);
  const sink = new TickCorkedSink(
    socket as unknown as WebSocket,
    transport as unknown as Duplex,
    maxCorkedBytes,
  );
  return { transport, socket, sink };
}

const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));
const noop = () => undefined;

describe('TickCorkedSink (WS-OUTBOUND-1)', () => {
  it('WS-OUTBOUND-1 frames written in one tick leave in one batch when the tick ends', async () => {
    const { transport, socket, sink } = setup();
    for (let i = 0; i < 5; i++) sink.write(Uint8Array.of(i), noop);
    expect(socket.sent).toHaveLength(5);
    expect(transport.batches).toEqual([]);
    await tick();
    expect(transport.batches).toEqual([5]);
    expect(transport.depth).toBe(0);
    // A reply awaited between writes (a microtask hop) stays in the same batch.
    sink.write(Uint8Array.of(1), noop);
    await Promise.resolve();
    sink.write(Uint8Array.of(2), noop);
    await tick();
    expect(transport.batches).toEqual([5, 2]);
    expect(transport.corks).toBe(2);
  });

  it('WS-OUTBOUND-1 a request’s final frame leaves at once, with the frames corked before it', async () => {
    const { transport, socket, sink } = setup();
    // Alone: no cork, no wait for the end of the tick.
    sink.write(Uint8Array.of(9), noop, true);
    expect(transport.batches).toEqual([1]);
    expect(transport.corks).toBe(0);
    // After chunks written this tick: one batch, flushed by the response, nothing left for the tick end.
    for (let i = 0; i < 3; i++) sink.write(Uint8Array.of(i), noop);
    sink.write(Uint8Array.of(4), noop, true);
    expect(transport.batches).toEqual([1, 4]);
    expect(transport.depth).toBe(0);
    // A broadcast later in the same tick corks anew and leaves at the tick's end.
    sink.write(Uint8Array.of(5), noop);
    expect(transport.batches).toEqual([1, 4]);
    await tick();
    expect(transport.batches).toEqual([1, 4, 1]);
    expect(socket.sent).toHaveLength(6);
  });

  it('WS-OUTBOUND-1 a burst past the corked-byte bound is flushed early, never held unbounded', async () => {
    const { transport, sink } = setup(10);
    for (let i = 0; i < 7; i++) sink.write(new Uint8Array(4), noop);
    expect(transport.batches).toEqual([3, 3]);
    await tick();
    expect(transport.batches).toEqual([3, 3, 1]);
    expect(transport.depth).toBe(0);
    expect(MAX_CORKED_BYTES).toBeGreaterThan(0);
  });

  it('R7 corked frames of a healthy reader do not count as a backlog; a real backlog still does', async () => {
    const healthy = setup();
    // Nothing reports flushed within the tick (as on a real socket), so only `backlogged` decides.
    const held = new OutboundQueue(
      { write: (f) => healthy.sink.write(f, noop), backlogged: () => healthy.sink.backlogged() },
      4,
    );
    for (let i = 0; i < 20; i++) expect(held.tryPush(Uint8Array.of(i))).toBe(true);
    expect(healthy.sink.backlogged()).toBe(false);
    await tick();
    expect(healthy.transport.batches).toEqual([20]);

    const slow = setup();
    slow.transport.stuck = 100; // the kernel already refuses bytes before this tick
    const stalled = new OutboundQueue(
      { write: (f) => slow.sink.write(f, noop), backlogged: () => slow.sink.backlogged() },
      4,
    );
    for (let i = 0; i < 4; i++) expect(stalled.tryPush(Uint8Array.of(i))).toBe(true);
    expect(stalled.tryPush(Uint8Array.of(4))).toBe(false);
    await tick();
    expect(slow.sink.backlogged()).toBe(true);
    slow.transport.stuck = 0;
    expect(slow.sink.backlogged()).toBe(false);
  });
});
