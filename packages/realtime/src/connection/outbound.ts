/** Where the queue writes: one binary WebSocket message per call. */
export interface FrameSink {
  /**
   * `done` runs once the frame has left user space, or with an error if it never will. `flush`: the
   * frame ends a request; send it (and anything batched before it) now rather than at the end of the tick.
   */
  write(frame: Uint8Array, done: (err?: Error) => void, flush?: boolean): void;
  /** True while bytes wait in user space because the kernel send buffer is full. */
  backlogged(): boolean;
}

/** Raised to a handler that sends on a connection that has closed; the dispatcher swallows it. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  readonly code = 'connection_closed' as const;
  constructor() {
    super('connection closed');
  }
}

interface Waiter {
  readonly frame: Uint8Array;
  readonly flush: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * The per-connection outbound queue (WS-OUTBOUND-1, R7). A frame counts against the queue from the moment
 * it is handed to the socket until the socket reports it flushed, so a reader that stops reading fills it.
 * Node reports even an immediate kernel write on a later tick, so a burst of frames written in one tick
 * would look "queued" although the kernel took them all: the queue only counts as full while the socket
 * is also backlogged (bytes waiting in user space), which is what a slow reader really causes.
 *
 * - Broadcasts use {@link tryPush}: never wait; `false` when full, which makes the connection a slow consumer.
 * - Replies (responses, chunks) use {@link push}: they wait for room, which stalls that connection's handler
 *   (backpressure). They may only fill `replyCapacity` slots, so the remaining slots absorb broadcasts that
 *   interleave with a long chunk stream instead of tripping the slow-consumer close.
 */
export class OutboundQueue {
  private inFlight = 0;
  private closed = false;
  /** Replies waiting for room; created on the first wait. */
  private waiters: Waiter[] | undefined;
  private readonly onWritten = (): void => {
    this.inFlight--;
    this.drainWaiters();
  };

  constructor(
    private readonly sink: FrameSink,
    readonly capacity: number,
    readonly replyCapacity: number = capacity,
  ) {
    if (!(capacity >= 1 && replyCapacity >= 1 && replyCapacity <= capacity)) {
      throw new RangeError('outbound queue needs capacity >= replyCapacity >= 1');
    }
  }

  /** Frames handed to the socket and not yet flushed. */
  get pending(): number {
    return this.inFlight;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Non-blocking enqueue; false when closed or full. */
  tryPush(frame: Uint8Array): boolean {
    if (this.closed || this.isFull(this.capacity)) return false;
    this.write(frame);
    return true;
  }

  /**
   * Enqueue a reply now if there is room and no reply waits ahead of it; false otherwise (then
   * {@link push} it). Throws ConnectionClosedError once closed.
   */
  tryPushReply(frame: Uint8Array): boolean {
    if (this.closed) throw new ConnectionClosedError();
    if (this.waiters?.length || this.isFull(this.replyCapacity)) return false;
    this.write(frame);
    return true;
  }

  /**
   * Enqueue once there is room for a reply, in call order. Rejects with ConnectionClosedError once closed.
   * `flush` marks the frame that ends a request (see FrameSink.write).
   */
  push(frame: Uint8Array, flush = false): Promise<void> {
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    if (!this.waiters?.length && !this.isFull(this.replyCapacity)) {
      this.write(frame, flush);
      return Promise.resolve();
    }
    this.waiters ??= [];
    const waiters = this.waiters;
    return new Promise((resolve, reject) => waiters.push({ frame, flush, resolve, reject }));
  }

  /** Stop accepting frames; waiting replies are dropped. Frames already written still flush. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // An Error captures a stack trace: make one only when a reply is actually waiting (rarely).
    const waiters = this.waiters?.splice(0);
    if (waiters === undefined || waiters.length === 0) return;
    const err = new ConnectionClosedError();
    for (const waiter of waiters) waiter.reject(err);
  }

  private isFull(limit: number): boolean {
    return this.inFlight >= limit && this.sink.backlogged();
  }

  private write(frame: Uint8Array, flush = false): void {
    this.inFlight++;
    this.sink.write(frame, this.onWritten, flush);
  }

  private drainWaiters(): void {
    const waiters = this.waiters;
    if (waiters === undefined) return;
    while (!this.closed && waiters.length > 0 && !this.isFull(this.replyCapacity)) {
      const waiter = waiters.shift()!;
      this.write(waiter.frame, waiter.flush);
      waiter.resolve();
    }
  }
}
