/**
 * Concurrent pulls per connection and per user (issue: stalled readers starve everyone). A pull
 * over either bound waits in order for a slot up to `queueWaitMs`, then is refused with
 * `rate_limited`, so one user can never take the shared read capacity. A waiter leaves the queue
 * when its connection closes.
 */
import { RpcError } from '@less-sync/core';

export interface PullLimitsConfig {
  /** Pulls one connection may run at once (PULL_MAX_PER_CONNECTION). */
  readonly maxPerConnection: number;
  /** Pulls one user may run at once over all their connections (PULL_MAX_PER_USER). */
  readonly maxPerUser: number;
  /** How long a pull over a bound waits for a slot before `rate_limited` (PULL_QUEUE_WAIT_MS). */
  readonly queueWaitMs: number;
}

export const DEFAULT_PULL_LIMITS: PullLimitsConfig = Object.freeze({
  maxPerConnection: 2,
  maxPerUser: 4,
  queueWaitMs: 5_000,
});

export const PULL_LIMIT_MESSAGE = 'too many concurrent pulls';

interface Waiter {
  readonly connection: string;
  readonly user: string;
  readonly grant: () => void;
}

export class PullSlots {
  readonly #config: PullLimitsConfig;
  readonly #perConnection = new Map<string, number>();
  readonly #perUser = new Map<string, number>();
  readonly #waiters: Waiter[] = [];

  constructor(config: PullLimitsConfig) {
    this.#config = config;
  }

  /** Pulls running now (for tests and gauges). */
  running(connection: string, user: string): { connection: number; user: number } {
    return { connection: this.#perConnection.get(connection) ?? 0, user: this.#perUser.get(user) ?? 0 };
  }

  /** Resolves with the slot's release function; rejects `rate_limited`, or with the signal's reason. */
  acquire(connection: string, user: string, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#fits(connection, user)) return Promise.resolve(this.#take(connection, user));
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
      };
      const onAbort = () => {
        leave();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        leave();
        reject(new RpcError('rate_limited', PULL_LIMIT_MESSAGE));
      }, this.#config.queueWaitMs);
      timer.unref();
      const waiter: Waiter = {
        connection,
        user,
        grant: () => {
          leave();
          resolve(this.#take(connection, user));
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #fits(connection: string, user: string): boolean {
    return (
      (this.#perConnection.get(connection) ?? 0) < this.#config.maxPerConnection &&
      (this.#perUser.get(user) ?? 0) < this.#config.maxPerUser
    );
  }

  #take(connection: string, user: string): () => void {
    bump(this.#perConnection, connection, 1);
    bump(this.#perUser, user, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.#perConnection, connection, -1);
      bump(this.#perUser, user, -1);
      this.#wake();
    };
  }

  /** Grants, in order, every waiter that now fits. */
  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (this.#fits(waiter.connection, waiter.user)) waiter.grant();
    }
  }
}

/** Counts without keeping zero entries (maps stay as small as the pulls running). */
function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
