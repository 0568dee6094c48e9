import {
  canonicalSpaceId,
  Payload,
  RpcError,
  RpcErrorCode,
  SubscribeParamsCodec,
  SubscribeResultCodec,
  type SubscribeResultInit,
  UnsubscribeParamsCodec,
  WsPresenceLeaveDataCodec,
  type WsSubscribeSpace,
} from '@less-sync/core';
import { type AuthorizedSpace, authzErrorCode } from '../../authz/index.js';
import type { PeerTarget } from '../../deps.js';
import { isFederationCallError } from '../../federation/outbound/errors.js';
import { releaseRemote } from '../../federation/outbound/release.js';
import type { SpaceGrant } from '../../session/registry.js';
import {
  type ClientNotificationRoute,
  type ClientRequestContext,
  type ClientRequestRoute,
  defineNotification,
  defineRequest,
} from '../method.js';
import { releasedDuring } from '../remote-call.js';
import type { ApiServices } from '../services.js';

type SubscribedSpace = SubscribeResultInit['spaces'][number];
type SpaceError = NonNullable<SubscribeResultInit['errors']>[number];

/**
 * RPC-SUB-2 / FED-RPC-10: subscribe at the home server too. Undefined when it accepted; otherwise the
 * per-space code the client gets: the home's own (R29), or `internal` when it could not be asked. The
 * client's later requests do not wait for the home (B8); this subscribe then answers when it is done.
 */
async function subscribeRemote(
  s: ApiServices,
  peer: PeerTarget,
  entry: WsSubscribeSpace,
  ctx: ClientRequestContext,
): Promise<string | undefined> {
  const federation = s.deps.federation;
  if (federation === undefined) {
    s.logger.warn({ space: entry.id, peer: peer.domain }, 'remote space but federation is off');
    return RpcErrorCode.Internal;
  }
  try {
    const outcome = await releasedDuring(ctx, () => federation.subscribe(peer, [entry]));
    const refused = outcome?.errors.find((e) => e.space === entry.id) ?? outcome?.errors[0];
    return refused?.error;
  } catch (err) {
    s.logger.warn({ err, space: entry.id, peer: peer.domain }, 'forwarded subscribe failed');
    return isFederationCallError(err) && err.kind === 'remote' ? err.code : RpcErrorCode.Internal;
  }
}

/**
 * RPC-SUB-1..3 with R5 and R8: each space is authorized for Read in request order; failures go to
 * `errors` (`bad_request`, `forbidden`, `internal`). Subscriptions are keyed by the canonical id and
 * remember the UCAN chain that granted them, so a later revocation can end them. The result echoes each
 * space id as the client wrote it, so the client can match it to its request.
 */
export function subscribeMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(SubscribeParamsCodec, 'invalid subscribe params', async (params, ctx) => {
    if (params.spaces.length > s.maxSubscribeSpaces) {
      throw new RpcError('bad_request', 'too many spaces in subscribe request');
    }
    const spaces: SubscribedSpace[] = [];
    const errors: SpaceError[] = [];
    const grants: SpaceGrant[] = [];
    for (const requested of params.spaces) {
      const id = canonicalSpaceId(requested.id);
      if (id === undefined) {
        errors.push({ space: requested.id, error: 'bad_request' });
        continue;
      }
      let authorized: AuthorizedSpace;
      try {
        authorized = await s.authz.authorize(ctx.identity.auth, id, requested.ucan, 'read');
      } catch (err) {
        errors.push({ space: requested.id, error: authzErrorCode(err) });
        continue;
      }
      if (authorized.remote !== undefined) {
        const refused = await subscribeRemote(s, authorized.remote, requested, ctx);
        if (refused !== undefined) {
          errors.push({ space: requested.id, error: refused });
          continue;
        }
        s.remote.add(authorized.remote, id, ctx.connection, requested);
        // Released while the home answered (B8): a connection closed meanwhile has had its cleanup.
        if (ctx.connection.state !== 'open') {
          releaseRemote(s, ctx.connectionId, [id]);
          continue;
        }
      }
      const { space } = authorized;
      grants.push({ space: id, cids: authorized.chain?.cids ?? [] });
      spaces.push({
        id: requested.id,
        cursor: space.cursor,
        key_generation: space.key_generation,
        rewrap_epoch: space.rewrap_epoch,
        peers: requested.presence ? s.presence.peers(id, ctx.connectionId) : [],
      });
    }
    await s.sessions.subscribe(ctx.connection, grants);
    return Payload.of(SubscribeResultCodec, { spaces, errors });
  });
}

/**
 * RPC-SUB-4: stop broadcasts for the listed spaces, then clear this connection's presence in each listed
 * space (subscribed or not), telling the others with `presence.leave`.
 */
export function unsubscribeNotification(s: ApiServices): ClientNotificationRoute {
  return defineNotification(UnsubscribeParamsCodec, async (params, ctx) => {
    if (params.spaces.length === 0) return;
    await s.sessions.unsubscribe(ctx.connection, params.spaces);
    releaseRemote(s, ctx.connectionId, params.spaces);
    for (const space of params.spaces) {
      const leave = s.presence.clear(space, ctx.connectionId);
      if (leave !== undefined) {
        await ctx.connection.publish(
          leave.space,
          'presence.leave',
          Payload.of(WsPresenceLeaveDataCodec, leave),
        );
      }
    }
  });
}
