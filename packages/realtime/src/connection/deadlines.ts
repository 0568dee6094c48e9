import { type Clock, scheduleAt } from '../clock.js';

/** One pending deadline; `index` is its heap position, -1 once fired or cancelled. */
export interface Deadline {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  index: number;
}

/**
 * Every connection deadline of an endpoint (keepalive ticks, lifetimes, token expiries, auth and close
 * timeouts) in one min-heap behind a single clock timer. A Node timer per connection and purpose costs
 * far more memory than a heap entry, and jittered lifetimes would each get a timer list of their own.
 * Deadlines fire at their exact time, never synchronously; equal times fire in the order they were set.
 */
export class DeadlineQueue {
  private readonly heap: Deadline[] = [];
  private seq = 0;
  private armedAt = Number.POSITIVE_INFINITY;
  private cancelArm: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.heap.length;
  }

  now(): number {
    return this.clock.now();
  }

  add(at: number, fn: () => void): Deadline {
    const deadline: Deadline = { at, seq: this.seq++, fn, index: this.heap.length };
    this.heap.push(deadline);
    this.up(deadline.index);
    this.arm();
    return deadline;
  }

  /** Cancel a pending deadline; a fired or cancelled one is ignored. */
  remove(deadline: Deadline): void {
    const i = deadline.index;
    if (i < 0 || this.heap[i] !== deadline) return;
    deadline.index = -1;
    const last = this.heap.pop() as Deadline;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    if (this.heap.length === 0) this.disarm();
  }

  private fire = (): void => {
    this.armedAt = Number.POSITIVE_INFINITY;
    this.cancelArm = undefined;
    const now = this.clock.now();
    // Deadlines set by these callbacks wait for the next timer: none ever fires synchronously.
    const setBefore = this.seq;
    for (
      let top = this.heap[0];
      top !== undefined && top.at <= now && top.seq < setBefore;
      top = this.heap[0]
    ) {
      this.remove(top);
      try {
        top.fn();
      } catch (err) {
        // As from a timer callback of its own: reported, without starving the other deadlines.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.arm();
  };

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined || top.at >= this.armedAt) return;
    this.cancelArm?.();
    this.armedAt = top.at;
    this.cancelArm = scheduleAt(this.clock, top.at, this.fire);
  }

  private disarm(): void {
    this.cancelArm?.();
    this.cancelArm = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private before(a: Deadline, b: Deadline): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i] as Deadline;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Deadline;
      if (!this.before(item, p)) break;
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = item;
    item.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i] as Deadline;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(heap[right] as Deadline, heap[left] as Deadline) ? right : left;
      const c = heap[child] as Deadline;
      if (!this.before(c, item)) break;
      heap[i] = c;
      c.index = i;
      i = child;
    }
    heap[i] = item;
    item.index = i;
  }
}
