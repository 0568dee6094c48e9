/** RPC-DEK-1 `deks.get` (R4: streamed) and RPC-DEK-2 `deks.rewrap`: record DEKs. */
import {
  DekRecordCodec,
  DeksGetParamsCodec,
  DeksRewrapParamsCodec,
  DeksRewrapResultCodec,
  Payload,
  RpcError,
  RpcErrorCode,
  type WireObject,
} from '@less-sync/core';
import type { DekRecord } from '@less-sync/storage';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import {
  authorizeSpace,
  requireScope,
  requireSpaceId,
  SPACE_NOT_FOUND,
  type StorageErrorMap,
  storageRpcError,
} from '../space-access.js';
import { checkWrappedDek, STALE_EPOCH_MESSAGE, sinceCursor } from './shared.js';

/** Chunk name of one record DEK (R4). */
export const DEK_RECORD_CHUNK = 'deks.record';

const REWRAP_ERRORS: StorageErrorMap = {
  SpaceNotFound: [RpcErrorCode.NotFound, 'space not found'],
  DekRecordNotFound: [RpcErrorCode.BadRequest, 'one or more DEK records were not found'],
  DekEpochMismatch: [RpcErrorCode.Conflict, STALE_EPOCH_MESSAGE],
};

/**
 * Order: params, space id, `sync` scope, Read authorization. Every record with a DEK and `cursor > since`
 * is sent as a `deks.record` chunk `{id, dek, seq}` (what the SDK collects), then the result carries the
 * full list as the reference's did, plus `_chunks` (R4).
 */
export function deksGetMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(
    DeksGetParamsCodec,
    'invalid deks get params',
    async (params, ctx) => {
      const spaceId = requireSpaceId(params.space);
      requireScope(ctx, 'sync');
      await authorizeSpace(s, ctx, spaceId, params.ucan, 'read');
      let deks: DekRecord[];
      try {
        deks = await s.storage.getDeks(spaceId, sinceCursor(params.since));
      } catch (err) {
        throw storageRpcError(s, err, SPACE_NOT_FOUND, { method: ctx.method, space: spaceId });
      }
      const list: WireObject[] = [];
      for (const dek of deks) {
        const record = { id: dek.id, dek: dek.wrappedDek, seq: dek.cursor };
        await ctx.chunk(DEK_RECORD_CHUNK, Payload.of(DekRecordCodec, record));
        list.push(record);
      }
      return { deks: list };
    },
    { chunked: true },
  );
}

/**
 * Order: params, space id, `sync` scope, Write authorization, each entry in order (non-empty id,
 * 44-byte DEK), then one transaction that checks each DEK's epoch and updates its record.
 */
export function deksRewrapMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(DeksRewrapParamsCodec, 'invalid deks rewrap params', async (params, ctx) => {
    const spaceId = requireSpaceId(params.space);
    requireScope(ctx, 'sync');
    await authorizeSpace(s, ctx, spaceId, params.ucan, 'write');
    const deks: DekRecord[] = params.deks.map((entry) => {
      if (entry.id === '') {
        throw new RpcError(RpcErrorCode.BadRequest, 'invalid record: id must be non-empty string');
      }
      checkWrappedDek(entry.dek);
      return { id: entry.id, wrappedDek: entry.dek, cursor: 0 };
    });
    try {
      await s.storage.rewrapDeks(spaceId, deks);
    } catch (err) {
      // A non-UUID record id stays `internal`, as in the reference (NOTE-9; no ruling changes it).
      throw storageRpcError(s, err, REWRAP_ERRORS, { method: ctx.method, space: spaceId });
    }
    return Payload.of(DeksRewrapResultCodec, { ok: true, count: deks.length });
  });
}
