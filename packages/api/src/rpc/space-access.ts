/**
 * Shared steps of the space-scoped methods of helper B (membership, epoch, deks): the space-id check,
 * authorization with the reference's error frames, rate-limit consumption, and storage-error mapping.
 */
import { canonicalSpaceId, RpcError, RpcErrorCode } from '@less-sync/core';
import { isStorageError, type StorageErrorKind } from '@less-sync/storage';
import type { AuthorizedSpace, Permission } from '../authz/authorizer.js';
import { authzRpcError } from '../authz/errors.js';
import {
  RateLimitExceededError,
  type RateLimitedAction,
  type RateLimitPermit,
} from '../ratelimit/limiter.js';
import { hasScope } from '../session/identity.js';
import type { ClientRequestContext } from './method.js';
import type { ApiServices } from './services.js';
import { describeWindow } from './sync/space-create.js';

/** The canonical id of a space param, or `bad_request "invalid space id"`. */
export function requireSpaceId(raw: string): string {
  const id = canonicalSpaceId(raw);
  if (id === undefined) throw new RpcError(RpcErrorCode.BadRequest, 'invalid space id');
  return id;
}

/** RPC-AUTHZ-1: `forbidden "forbidden"` or `internal "internal"` when the caller may not act. */
export async function authorizeSpace(
  s: ApiServices,
  ctx: ClientRequestContext,
  spaceId: string,
  ucan: string,
  permission: Permission,
): Promise<AuthorizedSpace> {
  try {
    return await s.authz.authorize(ctx.identity.auth, spaceId, ucan, permission);
  } catch (err) {
    throw authzRpcError(err);
  }
}

/** deks.* and file.deks.*: the JWT scope must name `scope` (checked before authorization). */
export function requireScope(ctx: ClientRequestContext, scope: 'sync' | 'files'): void {
  if (!hasScope(ctx.identity.auth.scope, scope)) {
    throw new RpcError(RpcErrorCode.Forbidden, `${scope} scope required`);
  }
}

/** What a rate-limited action is called in its `rate_limited` message. */
const LIMITED_NOUN: Readonly<Record<RateLimitedAction, string>> = {
  membershipAppend: 'membership appends',
  invitationCreate: 'invitations',
  spaceCreate: 'space creations',
};

/**
 * RPC-RATE-1 with R12: count one action atomically before the request is validated. At the limit:
 * `rate_limited "rate limit exceeded: max N <noun> per hour"`; storage failure: `internal "internal error"`.
 */
export async function consumeRateLimit(
  s: ApiServices,
  ctx: ClientRequestContext,
  action: RateLimitedAction,
): Promise<RateLimitPermit> {
  try {
    return await s.rateLimiter.consume(action, ctx.identity.auth);
  } catch (err) {
    if (err instanceof RateLimitExceededError) {
      const { max, windowSeconds } = err.limit;
      throw new RpcError(
        RpcErrorCode.RateLimited,
        `rate limit exceeded: max ${max} ${LIMITED_NOUN[action]} per ${describeWindow(windowSeconds)}`,
      );
    }
    s.logger.error({ err, action }, 'rate limit check failed');
    throw new RpcError(RpcErrorCode.Internal, 'internal error');
  }
}

/**
 * Run `operation`; if it throws, give the counted action back (only successes count, as in the
 * reference) and rethrow.
 */
export async function refundOnFailure<T>(
  s: ApiServices,
  permit: RateLimitPermit,
  operation: () => Promise<T>,
): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    await permit.refund().catch((refundErr: unknown) => {
      s.logger.warn({ err: refundErr }, 'rate limit refund failed');
    });
    throw err;
  }
}

/** Error frames for the storage error kinds a method expects; any other failure is `internal "internal"`. */
export type StorageErrorMap = Partial<Readonly<Record<StorageErrorKind, readonly [RpcErrorCode, string]>>>;

export const SPACE_NOT_FOUND: StorageErrorMap = { SpaceNotFound: [RpcErrorCode.NotFound, 'space not found'] };

/** Map a storage failure to its error frame; unexpected ones are logged with the method and space. */
export function storageRpcError(
  s: ApiServices,
  err: unknown,
  map: StorageErrorMap,
  context: { method: string; space?: string },
): RpcError {
  if (err instanceof RpcError) return err;
  if (isStorageError(err)) {
    const mapped = map[err.kind];
    if (mapped !== undefined) return new RpcError(mapped[0], mapped[1]);
  }
  s.logger.error({ err, ...context }, 'storage operation failed');
  return new RpcError(RpcErrorCode.Internal, 'internal');
}
