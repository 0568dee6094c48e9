import type { AuthContext } from '@less-sync/auth';
import { type RateLimitStore, rateLimitHash } from '@less-sync/storage';
import type { RateLimit, RateLimitsConfig } from '../deps.js';

/** The guarded actions, keyed as in the config. */
export type RateLimitedAction = keyof RateLimitsConfig;

/** Stored action names: the reference's two (STORE-RATE-05) plus space.create (R11). */
export const RATE_LIMIT_ACTION_NAMES: Readonly<Record<RateLimitedAction, string>> = Object.freeze({
  membershipAppend: 'membership_append',
  invitationCreate: 'invitation',
  spaceCreate: 'space_create',
});

/** The limit was reached: the caller answers `rate_limited`. */
export class RateLimitExceededError extends Error {
  override readonly name = 'RateLimitExceededError';
  readonly code = 'rate_limited' as const;
  constructor(
    readonly action: RateLimitedAction,
    readonly limit: RateLimit,
  ) {
    super(`rate limit exceeded for ${action}: max ${limit.max} per ${limit.windowSeconds} s`);
  }
}

/** The count could not be taken (storage failure): the caller answers `internal`. */
export class RateLimitUnavailableError extends Error {
  override readonly name = 'RateLimitUnavailableError';
  readonly code = 'internal' as const;
  constructor(cause: unknown) {
    super('rate limit check failed', { cause });
  }
}

/** An action counted against the limit; give it back when the guarded operation fails after all. */
export interface RateLimitPermit {
  refund(): Promise<void>;
}

const NO_OP_PERMIT: RateLimitPermit = Object.freeze({ refund: async () => {} });

/**
 * R12: atomic per-actor limits over the storage rate-limit store. `consume` counts and records in one
 * step (concurrent callers cannot exceed the limit); the actor is HMAC(key, issuer ‖ 0 ‖ user id).
 */
export class RateLimiter {
  constructor(
    private readonly store: Pick<RateLimitStore, 'tryRecordAction' | 'refundAction'>,
    private readonly key: Uint8Array,
    private readonly limits: RateLimitsConfig,
  ) {}

  limit(action: RateLimitedAction): RateLimit {
    return this.limits[action];
  }

  actorHash(auth: Pick<AuthContext, 'issuer' | 'userId'>): string {
    return rateLimitHash(this.key, auth.issuer, auth.userId);
  }

  /**
   * Count one `action` for the actor. Rejects with RateLimitExceededError at the limit, or
   * RateLimitUnavailableError when storage fails. A limit with `max` 0 is off.
   */
  async consume(
    action: RateLimitedAction,
    auth: Pick<AuthContext, 'issuer' | 'userId'>,
  ): Promise<RateLimitPermit> {
    const limit = this.limits[action];
    if (limit.max <= 0) return NO_OP_PERMIT;
    const name = RATE_LIMIT_ACTION_NAMES[action];
    const actorHash = this.actorHash(auth);
    let allowed: boolean;
    try {
      ({ allowed } = await this.store.tryRecordAction({
        action: name,
        actorHash,
        limit: limit.max,
        windowSeconds: limit.windowSeconds,
      }));
    } catch (err) {
      throw new RateLimitUnavailableError(err);
    }
    if (!allowed) throw new RateLimitExceededError(action, limit);
    return { refund: () => this.store.refundAction(name, actorHash) };
  }
}
