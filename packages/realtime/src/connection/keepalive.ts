import type { ConnectionTimers } from './timers.js';

export interface KeepaliveActions {
  /** Send the 0xF6 keepalive frame (best effort: skipped when the outbound queue is full). */
  sendKeepalive(): void;
  ping(): void;
  /** The peer missed a whole interval: cut it off. */
  dead(): void;
}

/**
 * WS-KEEPALIVE-1: a 0xF6 frame every interval, first one an interval after the upgrade. With the liveness
 * check on, each tick also pings; a peer that has neither answered a ping nor sent anything by the next
 * tick is treated as dead (the reference had no such check and noticed dead peers only via the lifetime).
 */
export class Keepalive {
  private awaitingPong = false;
  private readonly onTick = (): void => this.tick();

  constructor(
    private readonly timers: ConnectionTimers,
    private readonly intervalMs: number,
    private readonly livenessCheck: boolean,
    private readonly actions: KeepaliveActions,
  ) {}

  start(): void {
    if (this.intervalMs > 0) this.timers.after('keepalive', this.intervalMs, this.onTick);
  }

  /** Any sign of life from the peer: a message or a pong. */
  alive(): void {
    this.awaitingPong = false;
  }

  private tick(): void {
    if (this.livenessCheck && this.awaitingPong) {
      this.actions.dead();
      return;
    }
    this.actions.sendKeepalive();
    if (this.livenessCheck) {
      this.awaitingPong = true;
      this.actions.ping();
    }
    this.start();
  }
}
