/**
 * RPC-DEK-3 `file.deks.get` (R4: streamed) and RPC-DEK-4 `file.deks.rewrap`: file DEKs. The legacy names
 * `deks.getFiles` / `deks.rewrapFiles` (what the SDK calls) are the same routes.
 */
import {
  canonicalSpaceId,
  FileDekRecordCodec,
  FileDeksGetParamsCodec,
  FileDeksRewrapParamsCodec,
  FileDeksRewrapResultCodec,
  Payload,
  RpcError,
  RpcErrorCode,
  type WireObject,
} from '@less-sync/core';
import type { FileDekRecord } from '@less-sync/storage';
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

/** Chunk name of one file DEK (R4). */
export const FILE_DEK_RECORD_CHUNK = 'deks.files.record';

const REWRAP_ERRORS: StorageErrorMap = {
  SpaceNotFound: [RpcErrorCode.NotFound, 'space not found'],
  FileDekNotFound: [RpcErrorCode.BadRequest, 'one or more file DEK records were not found'],
  DekEpochMismatch: [RpcErrorCode.Conflict, STALE_EPOCH_MESSAGE],
};

/** Order: params, space id, `files` scope, Read authorization; chunks `{id, dek, cursor}` then the list. */
export function fileDeksGetMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(
    FileDeksGetParamsCodec,
    'invalid file deks get params',
    async (params, ctx) => {
      const spaceId = requireSpaceId(params.space);
      requireScope(ctx, 'files');
      await authorizeSpace(s, ctx, spaceId, params.ucan, 'read');
      let deks: FileDekRecord[];
      try {
        deks = await s.storage.getFileDeks(spaceId, sinceCursor(params.since));
      } catch (err) {
        throw storageRpcError(s, err, SPACE_NOT_FOUND, { method: ctx.method, space: spaceId });
      }
      const list: WireObject[] = [];
      for (const dek of deks) {
        const record = { id: dek.id, dek: dek.wrappedDek, cursor: dek.cursor };
        await ctx.chunk(FILE_DEK_RECORD_CHUNK, Payload.of(FileDekRecordCodec, record));
        list.push(record);
      }
      return { deks: list };
    },
    { chunked: true },
  );
}

/**
 * Order: params, space id, `files` scope, Write authorization, each entry (a UUID id, a 44-byte DEK),
 * then one transaction that checks every epoch before it updates anything.
 */
export function fileDeksRewrapMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(FileDeksRewrapParamsCodec, 'invalid file deks rewrap params', async (params, ctx) => {
    const spaceId = requireSpaceId(params.space);
    requireScope(ctx, 'files');
    await authorizeSpace(s, ctx, spaceId, params.ucan, 'write');
    const deks: FileDekRecord[] = params.deks.map((entry) => {
      const id = canonicalSpaceId(entry.id);
      if (id === undefined)
        throw new RpcError(RpcErrorCode.BadRequest, 'invalid record: id must be a valid UUID');
      checkWrappedDek(entry.dek);
      return { id, wrappedDek: entry.dek, cursor: 0 };
    });
    try {
      await s.storage.rewrapFileDeks(spaceId, deks);
    } catch (err) {
      throw storageRpcError(s, err, REWRAP_ERRORS, { method: ctx.method, space: spaceId });
    }
    return Payload.of(FileDeksRewrapResultCodec, { ok: true, count: deks.length });
  });
}
