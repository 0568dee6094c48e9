import type { DeadlineQueue } from './deadlines.js';

/** Who hears about released handlers (the connection itself: no closures per connection). */
export interface ReleasedOwner {
  /** A released handler failed outside the dispatcher's own error mapping (the pump's catch). */
  releasedFailed(err: unknown): void;
  /** The last released handler settled. */
  releasedIdle(): void;
}

/**
 * Requests whose handler let go of the connection's read loop (RequestContext.release) while it waits on
 * something slow and remote. The loop reads on; the handler replies under its own id when it is done.
 * At most `limit` are out per connection: past that, release() says no and the loop waits as before.
 */
export class ReleasedRequests {
  /** Made on the first release: most connections never release a request. */
  private running: Set<Promise<void>> | undefined;
  private reserved = 0;

  constructor(
    private readonly limit: number,
    private readonly owner: ReleasedOwner,
  ) {}

  /** Handlers released and not yet settled (slots taken). */
  get count(): number {
    return this.reserved;
  }

  /** Take a slot for a handler about to be released; false when all are taken. */
  reserve(): boolean {
    if (this.reserved >= this.limit) return false;
    this.reserved++;
    return true;
  }

  /** Follow a released handler to its end; its slot frees when it settles, whatever the outcome. */
  track(done: Promise<void>): void {
    this.running ??= new Set();
    const running = this.running;
    const settled: Promise<void> = done
      .then(undefined, (err: unknown) => this.owner.releasedFailed(err))
      .then(() => {
        running.delete(settled);
        this.reserved--;
        if (this.reserved === 0) this.owner.releasedIdle();
      });
    running.add(settled);
  }

  /**
   * On close: the handlers were aborted through the connection signal; resolves once every one released
   * so far has settled, or after `ms`, whichever comes first (never rejects).
   */
  settledWithin(deadlines: DeadlineQueue, ms: number): Promise<void> {
    if (this.running === undefined || this.running.size === 0) return Promise.resolve();
    const all = Promise.all(this.running);
    return new Promise<void>((resolve) => {
      const bound = deadlines.add(deadlines.now() + ms, resolve);
      void all.then(() => {
        deadlines.remove(bound);
        resolve();
      });
    });
  }
}

/**
 * The read loop's hold on one request. `release()` (the handler's) lets the loop go on if a slot is
 * free; `until()` (the loop's) resolves true once released, false once the handler finished first, and
 * rejects with the handler's failure if it failed while still holding the loop.
 */
export class RequestHold {
  private state: 'held' | 'released' | 'done' = 'held';
  private wake: (() => void) | undefined;

  constructor(private readonly pool: ReleasedRequests) {}

  readonly release = (): boolean => {
    if (this.state !== 'held') return this.state === 'released';
    if (!this.pool.reserve()) return false;
    this.state = 'released';
    this.wake?.();
    return true;
  };

  until(done: Promise<void>): Promise<boolean> {
    if (this.state === 'released') return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      this.wake = () => resolve(true);
      done.then(
        () => {
          if (this.state === 'held') this.state = 'done';
          resolve(this.state === 'released');
        },
        (err: unknown) => {
          if (this.state !== 'held') return resolve(true);
          this.state = 'done';
          reject(err);
        },
      );
    });
  }
}
