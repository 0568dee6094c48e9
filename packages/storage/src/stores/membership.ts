/** Membership hash-chain log (STORE-MEM-*). */
import { toBytes, toInt } from '../db/values.js';
import { guard, inTransaction, type StoreContext } from './context.js';
import { StorageError } from './errors.js';
import type { MembershipStore } from './interfaces.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function membershipStore(ctx: StoreContext): MembershipStore {
  const { db } = ctx;

  return {
    async appendMember(spaceId, expectedVersion, entry) {
      return inTransaction(ctx, async (trx) => {
        const space = await trx
          .selectFrom('spaces')
          .select('metadata_version')
          .where('id', '=', spaceId)
          .forUpdate()
          .executeTakeFirst();
        if (!space) throw new StorageError('SpaceNotFound');
        // The version CAS is checked before the chain (STORE-MEM-01).
        if (space.metadata_version !== expectedVersion) throw new StorageError('VersionConflict');

        const last = await trx
          .selectFrom('members')
          .select(['chain_seq', 'entry_hash'])
          .where('space_id', '=', spaceId)
          .orderBy('chain_seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        const linked = last
          ? entry.prevHash.length > 0 && sameBytes(entry.prevHash, last.entry_hash)
          : entry.prevHash.length === 0;
        if (!linked) throw new StorageError('HashChainBroken');
        const chainSeq = (last?.chain_seq ?? 0) + 1;

        const bumped = await trx
          .updateTable('spaces')
          .set((eb) => ({ cursor: eb('cursor', '+', 1), metadata_version: eb('metadata_version', '+', 1) }))
          .where('id', '=', spaceId)
          .returning(['cursor', 'metadata_version'])
          .executeTakeFirstOrThrow();
        const cursor = toInt(bumped.cursor);

        await trx
          .insertInto('members')
          .values({
            space_id: spaceId,
            chain_seq: chainSeq,
            cursor,
            prev_hash: entry.prevHash.length > 0 ? entry.prevHash : null,
            entry_hash: entry.entryHash,
            payload: entry.payload,
          })
          .execute();
        return { chainSeq, cursor, metadataVersion: bumped.metadata_version };
      });
    },

    async getMembers(spaceId, sinceSeq) {
      const space = await guard(() =>
        db.selectFrom('spaces').select('id').where('id', '=', spaceId).executeTakeFirst(),
      );
      if (!space) throw new StorageError('SpaceNotFound');
      const rows = await guard(() =>
        db
          .selectFrom('members')
          .select(['space_id', 'chain_seq', 'cursor', 'prev_hash', 'entry_hash', 'payload'])
          .where('space_id', '=', spaceId)
          .where('chain_seq', '>', sinceSeq)
          .orderBy('chain_seq')
          .execute(),
      );
      return rows.map((row) => ({
        spaceId: row.space_id,
        chainSeq: row.chain_seq,
        cursor: toInt(row.cursor),
        prevHash: row.prev_hash === null ? new Uint8Array(0) : toBytes(row.prev_hash),
        entryHash: toBytes(row.entry_hash),
        payload: toBytes(row.payload),
      }));
    },
  };
}
