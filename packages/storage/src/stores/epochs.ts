/** Key epochs and record DEKs (STORE-EPOCH-*). */
import { guard, inTransaction, type StoreContext } from './context.js';
import { checkDekEpoch, lockKeyGeneration, toDekRecords } from './dek-rows.js';
import { StorageError } from './errors.js';
import type { EpochStore } from './interfaces.js';
import { parseUuidLenient } from './validation.js';

const INT32_MIN = -2_147_483_648;

export function epochStore(ctx: StoreContext): EpochStore {
  const { db } = ctx;

  async function spaceExists(spaceId: string): Promise<boolean> {
    const row = await guard(() =>
      db.selectFrom('spaces').select('id').where('id', '=', spaceId).executeTakeFirst(),
    );
    return row !== undefined;
  }

  return {
    async advanceEpoch(spaceId, requestedEpoch, options) {
      // Compare-and-set in one statement: exactly one of several concurrent advances wins.
      // (INT32_MIN has no predecessor: it can only conflict.)
      const updated =
        requestedEpoch > INT32_MIN
          ? await guard(() =>
              db
                .updateTable('spaces')
                .set({
                  key_generation: requestedEpoch,
                  rewrap_epoch: requestedEpoch,
                  ...(options?.setMinKeyGeneration ? { min_key_generation: requestedEpoch } : {}),
                })
                .where('id', '=', spaceId)
                .where('key_generation', '=', requestedEpoch - 1)
                .where('rewrap_epoch', 'is', null)
                .executeTakeFirst(),
            )
          : { numUpdatedRows: 0n };
      if (updated.numUpdatedRows > 0n) return { epoch: requestedEpoch };

      const state = await guard(() =>
        db
          .selectFrom('spaces')
          .select(['key_generation', 'rewrap_epoch'])
          .where('id', '=', spaceId)
          .executeTakeFirst(),
      );
      if (!state) throw new StorageError('SpaceNotFound');
      throw new StorageError('EpochConflict', {
        epochConflict: { currentEpoch: state.key_generation, rewrapEpoch: state.rewrap_epoch ?? undefined },
      });
    },

    async completeRewrap(spaceId, epoch) {
      const result = await guard(() =>
        db
          .updateTable('spaces')
          .set({ rewrap_epoch: null })
          .where('id', '=', spaceId)
          .where('rewrap_epoch', '=', epoch)
          .executeTakeFirst(),
      );
      if (result.numUpdatedRows > 0n) return;
      throw new StorageError((await spaceExists(spaceId)) ? 'EpochMismatch' : 'SpaceNotFound');
    },

    async getDeks(spaceId, since) {
      const rows = await guard(() =>
        db
          .selectFrom('records')
          .select(['id', 'wrapped_dek', 'cursor'])
          .where('space_id', '=', spaceId)
          .where('cursor', '>', since)
          .where('wrapped_dek', 'is not', null)
          .orderBy('cursor')
          .orderBy('id')
          .execute(),
      );
      return toDekRecords(rows);
    },

    async rewrapDeks(spaceId, deks) {
      if (deks.length === 0) return;
      await inTransaction(ctx, async (trx) => {
        const keyGeneration = await lockKeyGeneration(trx, spaceId);
        // Validate and apply entry by entry, in order (STORE-EPOCH-04); any error rolls all back.
        for (const dek of deks) {
          checkDekEpoch(dek.wrappedDek, keyGeneration);
          const id = parseUuidLenient(dek.id);
          if (id === undefined) throw new StorageError('InvalidRecordId');
          const result = await trx
            .updateTable('records')
            .set({ wrapped_dek: dek.wrappedDek })
            .where('id', '=', id)
            .where('space_id', '=', spaceId)
            .executeTakeFirst();
          if (result.numUpdatedRows !== 1n) throw new StorageError('DekRecordNotFound');
        }
      });
    },
  };
}
