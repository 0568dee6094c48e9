import type { TransportHealth, TransportKind, TransportState } from './types.js';

/**
 * One network transport's health, reported on change, and the backoff sleep that closing cuts short
 * (shared by the PostgreSQL, Redis and NATS transports). Closed is final: later changes are ignored.
 */
export class TransportStatus {
  private state: TransportState = 'degraded';
  private detail: string | undefined = 'not started';
  private wake: (() => void) | undefined;

  constructor(
    private readonly kind: TransportKind,
    private readonly changed: (health: TransportHealth) => void,
  ) {}

  get closed(): boolean {
    return this.state === 'closed';
  }

  health(): TransportHealth {
    return this.detail === undefined || this.state !== 'degraded'
      ? { kind: this.kind, state: this.state }
      : { kind: this.kind, state: this.state, detail: this.detail };
  }

  set(state: 'ok' | 'degraded', detail: string | undefined): void {
    if (this.closed) return;
    const changed = state !== this.state;
    this.state = state;
    this.detail = detail;
    if (changed) this.changed(this.health());
  }

  /** Marks the transport closed and ends a pending sleep; false when it already was closed. */
  close(): boolean {
    if (this.closed) return false;
    this.state = 'closed';
    this.wake?.();
    return true;
  }

  /** Waits `ms`, or less when the transport closes meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
