import type { ClusterTransport } from '../transports/types.js';
import { encodeMessage } from './messages.js';

/** Hints waiting for the transport beyond this count are coalesced (cursor hints) or dropped (ephemeral). */
const MAX_IN_FLIGHT = 1000;
/** Spaces whose cursor hint waits for a retry; beyond it the oldest is dropped (receivers still catch up on
 * their next gap or hint for that space). */
const MAX_PENDING_SPACES = 100_000;
const RETRY_MS = 500;

interface PendingCursor {
  readonly k: string;
  readonly c: number;
  readonly o: string;
}

/**
 * Sends hints in order, one at a time. A hint that fails, or that finds the queue full, is not lost when
 * it names a cursor: it is folded into one cursor-only hint per space (coalescing) and retried until the
 * transport takes it, so a change committed while the publish side was down still reaches the others.
 */
export class HintOutbox {
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly pending = new Map<string, PendingCursor>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private flushSoon = false;

  constructor(
    private readonly transport: ClusterTransport,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Queue a hint; `space`/`cursor` let a failed one fall back to a cursor-only hint. */
  send(body: string, space?: string, cursor?: number, kind = 'sync', origin = ''): void {
    if (this.closed) return;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      if (space !== undefined && cursor !== undefined)
        this.sendCursor(space, kind, cursor, origin || this.originOf(body));
      return;
    }
    this.inFlight++;
    this.tail = this.tail
      .then(() => this.transport.publish(body))
      .catch((err: unknown) => {
        this.onError(err);
        if (space !== undefined && cursor !== undefined) this.hold(space, kind, cursor, this.originOf(body));
      })
      .finally(() => {
        this.inFlight--;
      });
  }

  /** A cursor-only hint, coalesced with any other waiting for the same space. */
  sendCursor(space: string, kind: string, cursor: number, origin: string): void {
    this.hold(space, kind, cursor, origin);
    if (this.flushSoon) return;
    this.flushSoon = true;
    setImmediate(() => {
      this.flushSoon = false;
      this.flush();
    });
  }

  /** Publish every held cursor hint now (also called when the transport comes back). */
  flush(): void {
    if (this.closed || this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [space, p] of batch) {
      this.inFlight++;
      this.tail = this.tail
        .then(() =>
          this.transport.publish(encodeMessage({ t: 's', o: p.o, s: space, k: p.k, x: '', c: p.c })),
        )
        .catch((err: unknown) => {
          this.onError(err);
          this.hold(space, p.k, p.c, p.o);
        })
        .finally(() => {
          this.inFlight--;
        });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.tail;
  }

  private hold(space: string, k: string, c: number, o: string): void {
    if (this.closed) return;
    const existing = this.pending.get(space);
    if (existing === undefined && this.pending.size >= MAX_PENDING_SPACES) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    if (existing === undefined || existing.c < c) this.pending.set(space, { k, c, o });
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, RETRY_MS);
      this.timer.unref();
    }
  }

  private originOf(body: string): string {
    const match = /"o":"([^"]*)"/.exec(body);
    return match?.[1] ?? '';
  }
}
