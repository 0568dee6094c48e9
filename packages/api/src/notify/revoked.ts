import { canonicalSpaceId, Payload, WsRevokedDataCodec } from '@less-sync/core';
import type { Broker } from '@less-sync/realtime';
import { publishToSpace } from '@less-sync/realtime';

/** The reason membership.revoke and R8 subscription endings carry. */
export const UCAN_REVOKED = 'ucan_revoked';

/** RT-2 `revoked` params `{space, reason}`, space canonical (R5). */
export function revokedPayload(space: string, reason: string = UCAN_REVOKED): Payload {
  return Payload.of(WsRevokedDataCodec, { space: canonicalSpaceId(space) ?? space, reason });
}

/** Tell a space's subscribers (except `excludeId`) that a UCAN was revoked (RPC-MEM-4). */
export function publishRevoked(
  broker: Broker,
  space: string,
  reason: string = UCAN_REVOKED,
  excludeId = '',
): Promise<number> {
  return publishToSpace(
    broker,
    canonicalSpaceId(space) ?? space,
    'revoked',
    revokedPayload(space, reason),
    excludeId,
  );
}
