import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { FrameSink } from './outbound.js';

/** Corked bytes that force an early flush, so one tick's burst never piles up unbounded in user space. */
export const MAX_CORKED_BYTES = 64 * 1024;

/**
 * A {@link FrameSink} that batches the frames written in one tick into one `writev`: the first write of a
 * tick corks the TCP socket and a `process.nextTick` uncorks it, so no frame waits past the current tick
 * (a chunked pull writes a whole page of chunks in one microtask run). A request's final frame is
 * written with `flush`: it leaves at once, taking any frames corked before it along. Corked bytes sit in the socket's
 * buffer, so while corked "backlogged" means what it meant when the cork began: a burst of broadcasts in
 * one tick is not mistaken for a slow reader (R7), and a real backlog still is.
 */
export class TickCorkedSink implements FrameSink {
  private corked = false;
  private corkedBytes = 0;
  private backlogAtCork = false;
  private readonly uncork = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.corkedBytes = 0;
    this.transport.uncork();
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly transport: Duplex,
    private readonly maxCorkedBytes = MAX_CORKED_BYTES,
  ) {}

  write(frame: Uint8Array, done: (err?: Error) => void, flush = false): void {
    // A request's last frame goes out at once: the rest of the tick (the handler's promise chain
    // unwinding, other connections' work) must not delay the answer a client waits for.
    if (flush && !this.corked) {
      this.socket.send(frame, { binary: true }, done);
      return;
    }
    if (!this.corked) {
      this.backlogAtCork = this.socket.bufferedAmount > 0;
      this.corked = true;
      this.transport.cork();
      process.nextTick(this.uncork);
    }
    this.socket.send(frame, { binary: true }, done);
    this.corkedBytes += frame.length;
    if (flush || this.corkedBytes >= this.maxCorkedBytes) this.uncork();
  }

  backlogged(): boolean {
    return this.corked ? this.backlogAtCork : this.socket.bufferedAmount > 0;
  }
}
