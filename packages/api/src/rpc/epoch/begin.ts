/** RPC-EPOCH-1 `epoch.begin` with R3 (a lost race is a successful result carrying `epoch_conflict`). */
import {
  EpochBeginParamsCodec,
  EpochBeginResultCodec,
  EpochConflictResultCodec,
  type FrameBody,
  Payload,
} from '@less-sync/core';
import { isStorageError } from '@less-sync/storage';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import { authorizeSpace, requireSpaceId, SPACE_NOT_FOUND, storageRpcError } from '../space-access.js';

/** The `error` string the SDK checks for a lost epoch race (R3; the reference sent `conflict`). */
export const EPOCH_CONFLICT = 'epoch_conflict';

/**
 * Compare-and-swap: only a space at `key_generation == epoch - 1` with no rewrap pending advances, to
 * `key_generation = rewrap_epoch = epoch` (and `min_key_generation` when asked). Nothing is broadcast.
 */
export function epochBeginMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(
    EpochBeginParamsCodec,
    'invalid epoch begin params',
    async (params, ctx): Promise<FrameBody> => {
      const spaceId = requireSpaceId(params.space);
      await authorizeSpace(s, ctx, spaceId, params.ucan, 'write');
      try {
        const result = await s.storage.advanceEpoch(spaceId, params.epoch, {
          setMinKeyGeneration: params.set_min_key_generation,
        });
        return Payload.of(EpochBeginResultCodec, { epoch: result.epoch });
      } catch (err) {
        if (isStorageError(err, 'EpochConflict') && err.epochConflict !== undefined) {
          return Payload.of(EpochConflictResultCodec, {
            error: EPOCH_CONFLICT,
            current_epoch: err.epochConflict.currentEpoch,
            rewrap_epoch: err.epochConflict.rewrapEpoch,
          });
        }
        throw storageRpcError(s, err, SPACE_NOT_FOUND, { method: ctx.method, space: spaceId });
      }
    },
  );
}
