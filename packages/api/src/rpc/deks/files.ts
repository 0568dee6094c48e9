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
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import type { ClientRequestRoute } from '../method.js';
import type { ApiServices } from '../services.js';
import { dekGetMethod, dekRewrapMethod } from './flow.js';

/** Chunk name of one file DEK (R4). */
export const FILE_DEK_RECORD_CHUNK = 'deks.files.record';

/** `files` scope; chunks `{id, dek, cursor}` then the list. */
export function fileDeksGetMethod(s: ApiServices): ClientRequestRoute {
  return dekGetMethod(s, {
    params: FileDeksGetParamsCodec,
    invalidParamsMessage: 'invalid file deks get params',
    scope: 'files',
    chunk: FILE_DEK_RECORD_CHUNK,
    record: FileDekRecordCodec,
    toWire: (dek) => ({ id: dek.id, dek: dek.wrappedDek, cursor: dek.cursor }),
    load: (services, spaceId, since) => services.storage.getFileDeks(spaceId, since),
  });
}

/** `files` scope; an id must be a UUID (stored canonical). */
export function fileDeksRewrapMethod(s: ApiServices): ClientRequestRoute {
  return dekRewrapMethod(s, {
    params: FileDeksRewrapParamsCodec,
    invalidParamsMessage: 'invalid file deks rewrap params',
    scope: 'files',
    result: FileDeksRewrapResultCodec,
    checkId: (raw) => {
      const id = canonicalSpaceId(raw);
      if (id === undefined)
        throw new RpcError(RpcErrorCode.BadRequest, 'invalid record: id must be a valid UUID');
      return id;
    },
    save: (services, spaceId, deks) => services.storage.rewrapFileDeks(spaceId, deks),
    notFound: { FileDekNotFound: [RpcErrorCode.BadRequest, 'one or more file DEK records were not found'] },
  });
}
