/** RPC-MEM-3 `membership.revoke` with R10 (Admin) and R8 (live subscriptions end at once). */
import {
  EmptyResultCodec,
  MembershipRevokeParamsCodec,
  Payload,
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import { publishRevoked, UCAN_REVOKED } from '../../notify/revoked.js';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import { authorizeSpace, requireSpaceId, storageRpcError } from '../space-access.js';

/**
 * Checks: params, a non-empty CID (before the space id, as in the reference), the space id, Admin
 * authorization (R10; the reference asked only Write). Then the revocation is stored, every live
 * subscription whose UCAN chain contains the CID is ended at once and told `revoked` (R8), and the
 * remaining subscribers (not the caller) get `revoked {space, reason:"ucan_revoked"}` (RPC-MEM-4), which
 * the SDK answers by checking its own access.
 */
export function membershipRevokeMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(
    MembershipRevokeParamsCodec,
    'invalid membership revoke params',
    async (params, ctx) => {
      if (params.ucan_cid === '') throw new RpcError(RpcErrorCode.BadRequest, 'invalid ucan cid');
      const spaceId = requireSpaceId(params.space);
      await authorizeSpace(s, ctx, spaceId, params.ucan, 'admin');
      try {
        await s.storage.revokeUcan(spaceId, params.ucan_cid);
      } catch (err) {
        throw storageRpcError(s, err, {}, { method: ctx.method, space: spaceId });
      }
      try {
        const ended = await s.sessions.revoke(spaceId, params.ucan_cid, UCAN_REVOKED);
        await s.deps.cluster?.publishRevocation(spaceId, params.ucan_cid, UCAN_REVOKED);
        await publishRevoked(s.broker, spaceId, UCAN_REVOKED, ctx.connectionId);
        s.logger.info?.({ space: spaceId, ended }, 'ucan revoked');
      } catch (err) {
        // The revocation is stored, so every later authorization refuses the token either way.
        s.logger.warn({ err, space: spaceId }, 'ending revoked subscriptions failed');
      }
      return Payload.of(EmptyResultCodec, {});
    },
  );
}
