/** RPC-EPOCH-2 `epoch.complete`. */
import { EmptyResultCodec, EpochCompleteParamsCodec, Payload, RpcErrorCode } from '@less-sync/core';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import { authorizeSpace, requireSpaceId, type StorageErrorMap, storageRpcError } from '../space-access.js';

const COMPLETE_ERRORS: StorageErrorMap = {
  EpochMismatch: [RpcErrorCode.Conflict, 'epoch mismatch'],
  SpaceNotFound: [RpcErrorCode.NotFound, 'space not found'],
};

/** Clears `rewrap_epoch` only where it equals `epoch`; otherwise `conflict "epoch mismatch"`. */
export function epochCompleteMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(EpochCompleteParamsCodec, 'invalid epoch complete params', async (params, ctx) => {
    const spaceId = requireSpaceId(params.space);
    await authorizeSpace(s, ctx, spaceId, params.ucan, 'write');
    try {
      await s.storage.completeRewrap(spaceId, params.epoch);
    } catch (err) {
      throw storageRpcError(s, err, COMPLETE_ERRORS, { method: ctx.method, space: spaceId });
    }
    return Payload.of(EmptyResultCodec, {});
  });
}
