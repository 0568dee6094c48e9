import type { Deadline, DeadlineQueue } from './deadlines.js';

type Slot = 'auth' | 'keepalive' | 'lifetime' | 'expiry' | 'terminate';

/**
 * Every deadline one connection owns, by purpose, so teardown can clear them all in one call. They live
 * in the endpoint's shared {@link DeadlineQueue}: no Node timer belongs to a single connection.
 */
export class ConnectionTimers {
  private auth: Deadline | undefined;
  private keepalive: Deadline | undefined;
  private lifetime: Deadline | undefined;
  private expiry: Deadline | undefined;
  private terminate: Deadline | undefined;

  constructor(private readonly queue: DeadlineQueue) {}

  /** Run `fn` after `ms`, replacing any timer in the same slot. */
  after(slot: Slot, ms: number, fn: () => void): void {
    this.at(slot, this.queue.now() + ms, fn);
  }

  /** Run `fn` at an absolute time (ms since epoch), however far away, replacing the slot's timer. */
  at(slot: Slot, time: number, fn: () => void): void {
    this.clear(slot);
    // A fired deadline may stay in its slot until replaced: removing it again is a no-op.
    this[slot] = this.queue.add(time, fn);
  }

  clear(slot: Slot): void {
    const deadline = this[slot];
    if (deadline === undefined) return;
    this[slot] = undefined;
    this.queue.remove(deadline);
  }

  clearAll(except?: Slot): void {
    for (const slot of SLOTS) if (slot !== except) this.clear(slot);
  }

  now(): number {
    return this.queue.now();
  }
}

const SLOTS: readonly Slot[] = ['auth', 'keepalive', 'lifetime', 'expiry', 'terminate'];
