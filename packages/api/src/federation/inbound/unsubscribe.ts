import { canonicalSpaceId, Payload, WsPresenceLeaveDataCodec } from '@less-sync/core';
import type { FederationContext, PeerHandlerContext } from './context.js';

/**
 * FED-RPC-08: drop the listed spaces, clear this socket's presence in each (telling the others), and give
 * the peer's space quota back for every space this socket actually held.
 */
export async function federationUnsubscribe(
  f: FederationContext,
  spaces: readonly string[],
  ctx: PeerHandlerContext,
): Promise<void> {
  if (spaces.length === 0) return;
  await f.s.sessions.unsubscribe(ctx.connection, spaces);
  const held = f.peerSpaces.get(ctx.connectionId);
  let released = 0;
  for (const raw of spaces) {
    const space = canonicalSpaceId(raw);
    if (space !== undefined && held?.delete(space)) released++;
    const leave = f.s.presence.clear(raw, ctx.connectionId);
    if (leave !== undefined) {
      await ctx.connection.publish(
        leave.space,
        'presence.leave',
        Payload.of(WsPresenceLeaveDataCodec, leave),
      );
    }
  }
  if (released > 0) await f.quota.removeSpaces(ctx.identity.peerDomain, released);
}
