/** RPC-MEM-1 `membership.append` and its `membership` broadcast (RPC-MEM-4). */
import { createHash } from 'node:crypto';
import {
  MembershipAppendParamsCodec,
  MembershipAppendResultCodec,
  Payload,
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import type { AppendLogResult } from '@less-sync/storage';
import { MEMBERSHIP_METHOD, membershipNotice } from '../../notify/membership.js';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import {
  authorizeSpace,
  consumeRateLimit,
  refundOnFailure,
  requireSpaceId,
  type StorageErrorMap,
  storageRpcError,
} from '../space-access.js';

/** An entry hash is a SHA-256 digest. */
const ENTRY_HASH_BYTES = 32;

const APPEND_ERRORS: StorageErrorMap = {
  SpaceNotFound: [RpcErrorCode.NotFound, 'space not found'],
  VersionConflict: [RpcErrorCode.Conflict, 'conflict'],
  HashChainBroken: [RpcErrorCode.Conflict, 'conflict'],
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** Steps 4–6: the hash must be 32 bytes and the SHA-256 of a non-empty payload. */
function checkEntry(entryHash: Uint8Array, payload: Uint8Array): void {
  if (entryHash.length !== ENTRY_HASH_BYTES) {
    throw new RpcError(RpcErrorCode.BadRequest, 'entry_hash must be 32 bytes');
  }
  if (payload.length === 0) throw new RpcError(RpcErrorCode.BadRequest, 'payload must not be empty');
  const digest = createHash('sha256').update(payload).digest();
  if (!sameBytes(digest, entryHash)) {
    throw new RpcError(RpcErrorCode.BadRequest, 'entry_hash does not match SHA-256 of payload');
  }
}

/**
 * Checks in the reference's order: params, space id, rate limit (R12: counted atomically, given back if
 * the append does not happen), entry hash, Write authorization, then the compare-and-swap append. The other
 * subscribers get `membership {space, cursor, entries:[entry]}`.
 */
export function membershipAppendMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(
    MembershipAppendParamsCodec,
    'invalid membership append params',
    async (params, ctx) => {
      const spaceId = requireSpaceId(params.space);
      const permit = await consumeRateLimit(s, ctx, 'membershipAppend');
      const prevHash = params.prev_hash ?? new Uint8Array(0);
      const result = await refundOnFailure(s, permit, async (): Promise<AppendLogResult> => {
        checkEntry(params.entry_hash, params.payload);
        await authorizeSpace(s, ctx, spaceId, params.ucan, 'write');
        try {
          return await s.storage.appendMember(spaceId, params.expected_version, {
            prevHash,
            entryHash: params.entry_hash,
            payload: params.payload,
          });
        } catch (err) {
          throw storageRpcError(s, err, APPEND_ERRORS, { method: ctx.method, space: spaceId });
        }
      });
      const notice = membershipNotice(spaceId, result.cursor, [
        { chainSeq: result.chainSeq, prevHash, entryHash: params.entry_hash, payload: params.payload },
      ]);
      try {
        await ctx.connection.publish(spaceId, MEMBERSHIP_METHOD, notice);
      } catch (err) {
        // The entry is stored: the broadcast is best-effort and never fails the append.
        s.logger.warn({ err, space: spaceId }, 'membership broadcast failed');
      }
      return Payload.of(MembershipAppendResultCodec, {
        chain_seq: result.chainSeq,
        metadata_version: result.metadataVersion,
      });
    },
  );
}
