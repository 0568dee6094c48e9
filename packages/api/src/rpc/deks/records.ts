/** RPC-DEK-1 `deks.get` (R4: streamed) and RPC-DEK-2 `deks.rewrap`: record DEKs. */
import {
  DekRecordCodec,
  DeksGetParamsCodec,
  DeksRewrapParamsCodec,
  DeksRewrapResultCodec,
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import type { ClientRequestRoute } from '../method.js';
import type { ApiServices } from '../services.js';
import { dekGetMethod, dekRewrapMethod } from './flow.js';

/** Chunk name of one record DEK (R4). */
export const DEK_RECORD_CHUNK = 'deks.record';

/**
 * `sync` scope. Every record with a DEK and `cursor > since` is sent as a `deks.record` chunk
 * `{id, dek, seq}` (what the SDK collects), then the result carries the full list as the reference's
 * did, plus `_chunks` (R4).
 */
export function deksGetMethod(s: ApiServices): ClientRequestRoute {
  return dekGetMethod(s, {
    params: DeksGetParamsCodec,
    invalidParamsMessage: 'invalid deks get params',
    scope: 'sync',
    chunk: DEK_RECORD_CHUNK,
    record: DekRecordCodec,
    toWire: (dek) => ({ id: dek.id, dek: dek.wrappedDek, seq: dek.cursor }),
    load: (services, spaceId, since) => services.storage.getDeks(spaceId, since),
  });
}

/** `sync` scope; an id only has to be non-empty here. */
export function deksRewrapMethod(s: ApiServices): ClientRequestRoute {
  return dekRewrapMethod(s, {
    params: DeksRewrapParamsCodec,
    invalidParamsMessage: 'invalid deks rewrap params',
    scope: 'sync',
    result: DeksRewrapResultCodec,
    checkId: (id) => {
      if (id === '')
        throw new RpcError(RpcErrorCode.BadRequest, 'invalid record: id must be non-empty string');
      return id;
    },
    save: (services, spaceId, deks) => services.storage.rewrapDeks(spaceId, deks),
    // A non-UUID record id stays `internal`, as in the reference (NOTE-9; no ruling changes it).
    notFound: { DekRecordNotFound: [RpcErrorCode.BadRequest, 'one or more DEK records were not found'] },
  });
}
