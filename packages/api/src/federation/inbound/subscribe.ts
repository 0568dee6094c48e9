import { createFst, verifyFstDualKey } from '@less-sync/auth';
import {
  canonicalSpaceId,
  Payload,
  RpcError,
  RpcErrorCode,
  SubscribeResultCodec,
  type SubscribeResultInit,
  type WsSubscribeSpace,
} from '@less-sync/core';
import { isStorageError, type Space } from '@less-sync/storage';
import type { SpaceGrant } from '../../session/registry.js';
import { authorizeFederation, FederationAuthzError, federationAuthzCode } from './authorize.js';
import type { FederationContext, PeerRequestContext } from './context.js';

type SubscribedSpace = SubscribeResultInit['spaces'][number];
type SpaceError = NonNullable<SubscribeResultInit['errors']>[number];

interface Granted {
  readonly space: Space;
  readonly cids: readonly string[];
  /** Unix seconds: the cap of the token minted now. */
  readonly cap: number;
}

/** Token path (FED-KEY-07) with B13: the space must exist and no token of the chain behind it be revoked. */
async function grantFromToken(
  f: FederationContext,
  id: string,
  token: string,
  peerDomain: string,
): Promise<Granted> {
  const keys = f.options.fstKeys;
  if (keys === undefined) throw new FederationAuthzError('internal', 'no FST secret configured');
  let claims: ReturnType<typeof verifyFstDualKey>;
  try {
    claims = verifyFstDualKey(keys.primary, keys.previous, token, peerDomain, { now: () => f.s.clock.now() });
  } catch (err) {
    throw new FederationAuthzError('forbidden', 'invalid subscribe token', { cause: err });
  }
  if (claims.spaceId !== id) throw new FederationAuthzError('forbidden', 'token names another space');
  let space: Space;
  try {
    space = await f.s.storage.getSpace(id);
  } catch (err) {
    if (isStorageError(err, 'SpaceNotFound')) throw new FederationAuthzError('not_found', 'space not found');
    throw new FederationAuthzError('internal', 'space lookup failed', { cause: err });
  }
  const cids = f.fstGrants.lookup(peerDomain, id, Math.floor(f.s.clock.now() / 1000)) ?? [];
  for (const cid of cids) {
    let revoked: boolean;
    try {
      revoked = await f.s.storage.isRevoked(id, cid);
    } catch (err) {
      throw new FederationAuthzError('internal', 'revocation check failed', { cause: err });
    }
    if (revoked) throw new FederationAuthzError('forbidden', 'the chain behind the token was revoked');
  }
  return { space, cids, cap: claims.expiresAt };
}

async function grantFor(
  f: FederationContext,
  id: string,
  entry: WsSubscribeSpace,
  peerDomain: string,
): Promise<Granted> {
  if (entry.ucan !== '') {
    const grant = await authorizeFederation(f.s, id, entry.ucan, {
      permission: 'read',
      missingRoot: 'not_found',
      requireLocalHome: false,
    });
    f.fstGrants.remember(peerDomain, id, grant.cids, grant.expiresAt);
    return { space: grant.space, cids: grant.cids, cap: grant.expiresAt };
  }
  if (entry.token !== '') return grantFromToken(f, id, entry.token, peerDomain);
  throw new FederationAuthzError('forbidden', 'neither UCAN nor token');
}

function mint(f: FederationContext, id: string, peerDomain: string, cap: number): string {
  const keys = f.options.fstKeys;
  if (keys === undefined) return '';
  return createFst(keys.primary, id, peerDomain, cap, { now: () => f.s.clock.now() });
}

/**
 * FED-RPC-04: per space, a UCAN (bearer capability) or a subscribe token bound to this peer; each success
 * gets a fresh token capped by the grant's expiry. The space quota counts distinct new spaces (B11) and is
 * all-or-nothing for the request. Subscriptions are registered with the session registry, so a later
 * revocation ends them (R8), and with the broker, so local changes reach the peer.
 */
export async function federationSubscribe(
  f: FederationContext,
  entries: readonly WsSubscribeSpace[],
  ctx: PeerRequestContext,
): Promise<Payload> {
  if (entries.length === 0) return Payload.of(SubscribeResultCodec, { spaces: [] });
  if (entries.length > f.s.maxSubscribeSpaces) {
    throw new RpcError(RpcErrorCode.BadRequest, 'too many spaces in subscribe request');
  }
  const { peerDomain } = ctx.identity;
  const spaces: SubscribedSpace[] = [];
  const errors: SpaceError[] = [];
  const grants: SpaceGrant[] = [];
  for (const entry of entries) {
    const id = canonicalSpaceId(entry.id);
    if (id === undefined || (entry.ucan === '' && entry.token === '')) {
      errors.push({ space: entry.id, error: RpcErrorCode.BadRequest });
      continue;
    }
    let granted: Granted;
    let token: string;
    try {
      granted = await grantFor(f, id, entry, peerDomain);
      token = mint(f, id, peerDomain, granted.cap);
    } catch (err) {
      const code = federationAuthzCode(err);
      if (code === 'internal')
        f.s.logger.error({ err, space: id, peer: peerDomain }, 'federation subscribe failed');
      errors.push({ space: entry.id, error: code });
      continue;
    }
    grants.push({ space: id, cids: granted.cids });
    spaces.push({
      id: entry.id,
      cursor: granted.space.cursor,
      key_generation: granted.space.key_generation,
      rewrap_epoch: granted.space.rewrap_epoch,
      token,
    });
  }
  const held = f.peerSpaces.get(ctx.connection.id);
  // The socket ended meanwhile: nothing to charge or subscribe.
  if (held === undefined) return Payload.of(SubscribeResultCodec, { spaces, errors });
  const fresh = new Set(grants.map((g) => g.space).filter((space) => !held.has(space)));
  if (fresh.size > 0 && !(await f.quota.tryAddSpaces(peerDomain, fresh.size))) {
    f.metrics.quotaRejected?.('spaces');
    f.s.logger.warn({ peer: peerDomain, spaces: fresh.size }, 'federation space quota exceeded');
    throw new RpcError(RpcErrorCode.RateLimited, 'space subscription quota exceeded');
  }
  for (const space of fresh) held.add(space);
  // One peer socket carries every origin subscriber of a space: keep the union of their chains, so
  // revoking any of them tells the origin (R17), which re-checks each of its subscribers.
  const current = f.s.sessions.grants(ctx.connection.id);
  const merged = grants.map((g) => ({
    space: g.space,
    cids: [...new Set([...(current.get(g.space) ?? []), ...g.cids])],
  }));
  await f.s.sessions.subscribe(ctx.connection, merged);
  return Payload.of(SubscribeResultCodec, { spaces, errors });
}
