import {
  canonicalSpaceId,
  Payload,
  RpcError,
  SpaceCreateParamsCodec,
  SpaceCreateResultCodec,
  uuidVersion,
} from '@less-sync/core';
import { isStorageError, type Space } from '@less-sync/storage';
import type { RateLimit } from '../../deps.js';
import { RateLimitExceededError, type RateLimitPermit } from '../../ratelimit/limiter.js';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';

/** The UUID version of personal space ids (SPACEID-02). */
const PERSONAL_SPACE_UUID_VERSION = 5;

/** A compressed SEC1 P-256 point: 33 bytes starting 0x02 or 0x03 (the curve check is not made). */
function isCompressedPublicKey(key: Uint8Array): boolean {
  return key.length === 33 && (key[0] === 0x02 || key[0] === 0x03);
}

/** "hour" for 3600 s, "day" for 86400 s, otherwise the seconds. */
export function describeWindow(seconds: number): string {
  if (seconds === 3600) return 'hour';
  if (seconds === 86_400) return 'day';
  return `${seconds} seconds`;
}

export function spaceCreateLimitMessage(limit: RateLimit): string {
  return `rate limit exceeded: max ${limit.max} space creations per ${describeWindow(limit.windowSeconds)}`;
}

/**
 * RPC-SPACE-1 with R11/R12: validate, count the creation against the caller's limit, create. Creation needs
 * no UCAN; a failed create (other than a taken id) gives the counted action back.
 */
export function spaceCreateMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(SpaceCreateParamsCodec, 'invalid space create params', async (params, ctx) => {
    const id = canonicalSpaceId(params.id);
    if (id === undefined) throw new RpcError('bad_request', 'invalid space id');
    // R11: personal space ids are predictable UUIDv5s; shared spaces (the SDK's randomUUID) are v4. Refusing
    // v5 here means nobody can pre-create another user's personal space and lock its owner out.
    if (uuidVersion(id) === PERSONAL_SPACE_UUID_VERSION)
      throw new RpcError('bad_request', 'space id is reserved for personal spaces');
    if (!isCompressedPublicKey(params.root_public_key))
      throw new RpcError('bad_request', 'invalid root public key');
    const auth = ctx.identity.auth;
    let permit: RateLimitPermit;
    try {
      permit = await s.rateLimiter.consume('spaceCreate', auth);
    } catch (err) {
      if (err instanceof RateLimitExceededError)
        throw new RpcError('rate_limited', spaceCreateLimitMessage(err.limit));
      s.logger.error({ err }, 'space.create rate limit check failed');
      throw new RpcError('internal', 'internal error');
    }
    let space: Space;
    try {
      space = await s.storage.createSpace(id, auth.clientId, params.root_public_key);
    } catch (err) {
      if (isStorageError(err, 'SpaceExists')) throw new RpcError('conflict', 'space already exists');
      s.logger.error({ err, space: id }, 'space.create failed');
      await permit.refund().catch(() => undefined);
      throw new RpcError('internal', 'failed to create space');
    }
    return Payload.of(SpaceCreateResultCodec, { id: space.id, key_generation: space.key_generation });
  });
}
