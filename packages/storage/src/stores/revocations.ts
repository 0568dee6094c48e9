/** UCAN revocations, per space (STORE-REV-01). */
import { sql } from 'kysely';
import { guard, type StoreContext } from './context.js';
import type { RevocationStore } from './interfaces.js';

export function revocationStore(ctx: StoreContext): RevocationStore {
  const { db } = ctx;
  return {
    async isRevoked(spaceId, ucanCid) {
      const row = await guard(() =>
        db
          .selectFrom('revocations')
          .select(sql<number>`1`.as('one'))
          .where('space_id', '=', spaceId)
          .where('ucan_cid', '=', ucanCid)
          .executeTakeFirst(),
      );
      return row !== undefined;
    },

    async revokeUcan(spaceId, ucanCid) {
      await guard(() =>
        db
          .insertInto('revocations')
          .values({ space_id: spaceId, ucan_cid: ucanCid })
          .onConflict((oc) => oc.columns(['space_id', 'ucan_cid']).doNothing())
          .execute(),
      );
    },
  };
}
