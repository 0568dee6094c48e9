/** RPC-MEM-2 `membership.list`. */
import { MembershipListParamsCodec, MembershipListResultCodec, Payload } from '@less-sync/core';
import type { MembersLogEntry } from '@less-sync/storage';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import { authorizeSpace, requireSpaceId, SPACE_NOT_FOUND, storageRpcError } from '../space-access.js';

/**
 * Read authorization, then the entries after `since_seq` in chain order with the space's
 * `metadata_version` (the version read during authorization, in the same request).
 */
export function membershipListMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(MembershipListParamsCodec, 'invalid membership list params', async (params, ctx) => {
    const spaceId = requireSpaceId(params.space);
    const authorized = await authorizeSpace(s, ctx, spaceId, params.ucan, 'read');
    let entries: MembersLogEntry[];
    try {
      entries = await s.storage.getMembers(spaceId, params.since_seq);
    } catch (err) {
      throw storageRpcError(s, err, SPACE_NOT_FOUND, { method: ctx.method, space: spaceId });
    }
    return Payload.of(MembershipListResultCodec, {
      entries: entries.map((entry) => ({
        chain_seq: entry.chainSeq,
        prev_hash: entry.prevHash.length > 0 ? entry.prevHash : undefined,
        entry_hash: entry.entryHash,
        payload: entry.payload,
      })),
      metadata_version: authorized.space.metadata_version,
    });
  });
}
