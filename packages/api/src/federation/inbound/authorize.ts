import { type Permission, parseUcan, UcanError } from '@less-sync/auth';
import type { Space } from '@less-sync/storage';
import { isStorageError } from '@less-sync/storage';
import type { ApiServices } from '../../rpc/services.js';

export type FederationAuthzCode = 'forbidden' | 'not_found' | 'internal';

export class FederationAuthzError extends Error {
  override readonly name = 'FederationAuthzError';
  constructor(
    readonly code: FederationAuthzCode,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${reason}`, options);
  }
}

export interface FederationGrant {
  readonly space: Space;
  /** CIDs of the validated chain, leaf first (R8 revocation index, B13 FST memory). */
  readonly cids: readonly string[];
  /** The leaf UCAN's `exp`, Unix seconds: the cap of any FST minted from this grant. */
  readonly expiresAt: number;
}

export interface FederationAuthzPolicy {
  readonly permission: Permission;
  /** What a space without a root key answers: subscribe/pull `not_found`, push `forbidden`. */
  readonly missingRoot: 'not_found' | 'forbidden';
  /** Push only: the space must be homed here (no relaying, no loops). */
  readonly requireLocalHome: boolean;
}

export function federationAuthzCode(err: unknown): FederationAuthzCode {
  return err instanceof FederationAuthzError ? err.code : 'internal';
}

/** The first audience of a UCAN as presented; the reference binds the chain to it (FED-RPC-03 step 5). */
function presentedAudience(ucan: string): string | undefined {
  try {
    const aud = parseUcan(ucan).claims.aud;
    const first = typeof aud === 'string' ? aud : aud?.[0];
    return first === undefined || first === '' ? undefined : first;
  } catch {
    return undefined;
  }
}

/**
 * FED-RPC-03: a peer acts on a space with a UCAN as a bearer capability: the chain must be rooted at
 * the space's root key, carry the permission, not be expired, and contain no revoked token; its audience
 * is the one it names itself. `spaceId` is canonical.
 */
export async function authorizeFederation(
  s: ApiServices,
  spaceId: string,
  ucan: string | undefined,
  policy: FederationAuthzPolicy,
): Promise<FederationGrant> {
  if (ucan === undefined || ucan === '') throw new FederationAuthzError('forbidden', 'no UCAN');
  let space: Space;
  try {
    space = await s.storage.getSpace(spaceId);
  } catch (err) {
    if (isStorageError(err, 'SpaceNotFound')) throw new FederationAuthzError('not_found', 'space not found');
    throw new FederationAuthzError('internal', 'space lookup failed', { cause: err });
  }
  if (policy.requireLocalHome && space.home_server !== undefined && space.home_server !== '') {
    throw new FederationAuthzError('forbidden', 'space is not homed here');
  }
  const root = space.root_public_key;
  if (root === undefined) throw new FederationAuthzError(policy.missingRoot, 'space has no root key');
  const audience = presentedAudience(ucan);
  if (audience === undefined) throw new FederationAuthzError('forbidden', 'UCAN has no audience');
  try {
    const chain = await s.deps.ucanValidator.validateChain({
      token: ucan,
      expectedAudience: audience,
      requiredPermission: policy.permission,
      spaceId,
      rootPublicKey: root,
      isRevoked: (id, cid) => s.storage.isRevoked(id, cid),
      now: s.clock.now(),
    });
    return { space, cids: chain.cids, expiresAt: chain.expiresAt };
  } catch (err) {
    if (err instanceof UcanError && err.kind !== 'RevocationCheckFailed') {
      throw new FederationAuthzError('forbidden', `ucan: ${err.kind}`, { cause: err });
    }
    throw new FederationAuthzError('internal', 'ucan validation failed', { cause: err });
  }
}
