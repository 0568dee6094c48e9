/**
 * Caps how many pull page reads run at once, so long or many pulls can never take the pool
 * connections that writes need (the write reserve). Waiters queue in order; a waiter gives up
 * after `waitMs` with `Unavailable` rather than waiting forever.
 */
import { StorageError } from './errors.js';

interface Waiter {
  readonly grant: () => void;
  readonly timer: NodeJS.Timeout;
}

export class ReadGate {
  readonly #permits: number;
  readonly #waitMs: number;
  #active = 0;
  readonly #waiters: Waiter[] = [];

  /** `permits` ≤ 0 means unbounded (one-connection backends, where there is nothing to reserve). */
  constructor(permits: number, waitMs: number) {
    this.#permits = permits;
    this.#waitMs = waitMs;
  }

  get active(): number {
    return this.#active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#permits <= 0 || this.#active < this.#permits) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          this.#active += 1;
          resolve();
        },
        timer: setTimeout(() => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(new StorageError('Unavailable', { detail: 'too many concurrent pull reads' }));
        }, this.#waitMs),
      };
      waiter.timer.unref();
      this.#waiters.push(waiter);
    });
  }

  #release(): void {
    this.#active -= 1;
    this.#waiters.shift()?.grant();
  }
}
