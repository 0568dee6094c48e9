import {
  canonicalSpaceId,
  type FederationRebroadcast,
  type FrameBody,
  Payload,
  WsFileDataCodec,
  WsMembershipDataCodec,
  WsRevokedDataCodec,
  WsSyncDataCodec,
} from '@less-sync/core';
import type { FederationContext, PeerHandlerContext } from './context.js';
import { peerHost } from './gate.js';

/** Re-encoded from the decoded struct: unknown fields a peer sent are dropped (FED-RPC-09). */
export function rebroadcastPayload(n: FederationRebroadcast, space: string): FrameBody {
  switch (n.method) {
    case 'sync':
      return Payload.of(WsSyncDataCodec, { ...n.params, space });
    case 'membership':
      return Payload.of(WsMembershipDataCodec, { ...n.params, space });
    case 'file':
      return Payload.of(WsFileDataCodec, { ...n.params, space });
    case 'revoked':
      return Payload.of(WsRevokedDataCodec, { space, reason: n.params.reason });
  }
}

/** Why a re-broadcast is refused, or undefined when it is accepted. */
async function refusal(f: FederationContext, space: string, peerDomain: string): Promise<string | undefined> {
  let home: string | undefined;
  try {
    home = (await f.s.storage.getSpace(space)).home_server;
  } catch {
    return 'space unknown here';
  }
  if (home === undefined || home === '' || peerHost(home) !== peerDomain)
    return 'peer is not the home server';
  if (f.options.gate?.subscribedThrough(peerDomain, space) !== true)
    return 'no local subscription through peer';
  return undefined;
}

/**
 * FED-RPC-09 with R17: a peer's `sync`/`membership`/`file`/`revoked` reaches local watchers of the space
 * (never the sending socket) only when that peer is the space's home and local clients subscribed to it
 * through that peer (B5 closed). Everything else is dropped and logged.
 */
export async function federationRebroadcast(
  f: FederationContext,
  n: FederationRebroadcast,
  ctx: PeerHandlerContext,
): Promise<void> {
  const { peerDomain } = ctx.identity;
  const space = canonicalSpaceId(n.space);
  if (n.method === 'sync' && n.params.records.length === 0) return;
  const why = space === undefined ? 'space id is not a UUID' : await refusal(f, space, peerDomain);
  if (why !== undefined || space === undefined) {
    f.metrics.call?.(n.method, 'refused');
    f.s.logger.warn(
      { peer: peerDomain, space: n.space, method: n.method, reason: why },
      'federation re-broadcast refused',
    );
    return;
  }
  const delivered = await ctx.connection.publish(space, n.method, rebroadcastPayload(n, space));
  f.metrics.call?.(n.method, 'ok');
  f.s.metrics.notification?.(n.method, delivered);
}
