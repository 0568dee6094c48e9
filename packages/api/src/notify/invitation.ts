/**
 * The `invitation` notification (RPC-INV-6, RT-2): an empty map sent to every connection of the target
 * mailbox, after a random 1000–4999 ms delay that blunts timing correlation between sender and recipient.
 *
 * Unlike the reference's detached task per invitation, pending sends are bounded and cancellable: one
 * pending send per mailbox (a second invitation while one is pending is already covered: the client lists
 * its mailbox when the notification arrives), at most `maxPending` mailboxes, all cancelled by `close()`.
 */
import { randomInt } from 'node:crypto';
import { encodeNotification, InvitationNotificationCodec, Payload } from '@less-sync/core';
import { type Broker, type Clock, systemClock, type TimerHandle } from '@less-sync/realtime';

export const INVITATION_METHOD = 'invitation';

/** The frame every recipient gets; identical bytes for all, so encoded once. */
const INVITATION_FRAME = encodeNotification(INVITATION_METHOD, Payload.of(InvitationNotificationCodec, {}));

export interface InvitationNotifierConfig {
  /** Shortest delay (default 1000 ms). */
  readonly minDelayMs: number;
  /** Width of the random window added to the shortest delay (default 4000 ms: 1000–4999 ms in all). */
  readonly jitterMs: number;
  /** Most mailboxes with a pending send; beyond it a new one is dropped and logged (default 10 000). */
  readonly maxPending: number;
}

export const DEFAULT_INVITATION_NOTIFIER_CONFIG: Readonly<InvitationNotifierConfig> = Object.freeze({
  minDelayMs: 1000,
  jitterMs: 4000,
  maxPending: 10_000,
});

export interface InvitationNotifierOptions {
  readonly broker: Pick<Broker, 'broadcastMailbox'>;
  readonly config?: Partial<InvitationNotifierConfig>;
  readonly clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Uniform integer in [0, max); a CSPRNG by default. */
  readonly randomInt?: (max: number) => number;
  readonly onError?: (err: unknown, mailboxId: string) => void;
}

/** Why {@link InvitationNotifier.schedule} did not arm a new timer. */
export type InvitationScheduleOutcome = 'scheduled' | 'coalesced' | 'dropped' | 'closed';

export class InvitationNotifier {
  readonly config: Readonly<InvitationNotifierConfig>;
  private readonly broker: Pick<Broker, 'broadcastMailbox'>;
  private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  private readonly random: (max: number) => number;
  private readonly onError: (err: unknown, mailboxId: string) => void;
  private readonly pendingSends = new Map<string, TimerHandle>();
  private closed = false;

  constructor(options: InvitationNotifierOptions) {
    this.config = Object.freeze({ ...DEFAULT_INVITATION_NOTIFIER_CONFIG, ...options.config });
    this.broker = options.broker;
    this.clock = options.clock ?? systemClock;
    this.random = options.randomInt ?? ((max) => randomInt(max));
    this.onError = options.onError ?? (() => {});
  }

  /** Mailboxes with a send waiting for its delay. */
  get pending(): number {
    return this.pendingSends.size;
  }

  /** Fire-and-forget: arm the delayed send for a mailbox (the RPC never waits for it). */
  schedule(mailboxId: string): InvitationScheduleOutcome {
    if (this.closed) return 'closed';
    if (this.pendingSends.has(mailboxId)) return 'coalesced';
    if (this.pendingSends.size >= this.config.maxPending) {
      this.onError(new Error('too many pending invitation notifications'), mailboxId);
      return 'dropped';
    }
    const jitter = this.config.jitterMs > 0 ? this.random(this.config.jitterMs) : 0;
    const handle = this.clock.setTimeout(() => this.fire(mailboxId), this.config.minDelayMs + jitter);
    this.pendingSends.set(mailboxId, handle);
    return 'scheduled';
  }

  /** Cancel every pending send and refuse new ones (server shutdown). Idempotent. */
  close(): void {
    this.closed = true;
    for (const handle of this.pendingSends.values()) this.clock.clearTimeout(handle);
    this.pendingSends.clear();
  }

  private fire(mailboxId: string): void {
    this.pendingSends.delete(mailboxId);
    if (this.closed) return;
    // Only connections present now receive it (fire-and-forget, RPC-INV-6).
    this.broker
      .broadcastMailbox(mailboxId, INVITATION_FRAME)
      .catch((err: unknown) => this.onError(err, mailboxId));
  }
}
