import { type Clock, scheduleAt, type TimerHandle } from '../clock.js';

type Slot = 'auth' | 'keepalive' | 'lifetime' | 'expiry' | 'terminate';

/** Every timer one connection owns, by purpose, so teardown can clear them all in one call. */
export class ConnectionTimers {
  private readonly cancels = new Map<Slot, () => void>();

  constructor(private readonly clock: Clock) {}

  /** Run `fn` after `ms`, replacing any timer in the same slot. */
  after(slot: Slot, ms: number, fn: () => void): void {
    this.clear(slot);
    const handle: TimerHandle = this.clock.setTimeout(() => {
      this.cancels.delete(slot);
      fn();
    }, ms);
    this.cancels.set(slot, () => this.clock.clearTimeout(handle));
  }

  /** Run `fn` at an absolute time (ms since epoch), however far away, replacing the slot's timer. */
  at(slot: Slot, time: number, fn: () => void): void {
    this.clear(slot);
    const cancel = scheduleAt(this.clock, time, () => {
      this.cancels.delete(slot);
      fn();
    });
    this.cancels.set(slot, cancel);
  }

  clear(slot: Slot): void {
    this.cancels.get(slot)?.();
    this.cancels.delete(slot);
  }

  clearAll(except?: Slot): void {
    for (const slot of [...this.cancels.keys()]) if (slot !== except) this.clear(slot);
  }

  now(): number {
    return this.clock.now();
  }
}
