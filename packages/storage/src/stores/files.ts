/**
 * File metadata (STORE-FILE-*, R19, R20, R22).
 *
 * Removal is a soft delete (`deleted = true` at a fresh cursor) so incremental pulls report removed
 * files (R19); removed rows are invisible to every lookup here, and recording the same file id again
 * (after the record is resurrected) revives the row at a new cursor.
 */
import { canonicalSpaceId } from '@less-sync/core';
import { sql } from 'kysely';
import { toBytes, toInt } from '../db/values.js';
import { guard, inTransaction, rollbackWith, type StoreContext, type Tx } from './context.js';
import { checkDekEpoch, lockKeyGeneration, toDekRecords } from './dek-rows.js';
import { StorageError } from './errors.js';
import type { FilesStore } from './interfaces.js';
import type { FileRef } from './types.js';
import { WRAPPED_DEK_LENGTH } from './validation.js';

/** Pairs per orphan lookup statement. */
const ORPHAN_CHUNK = 5_000;

const isUuid = (id: string) => canonicalSpaceId(id) !== undefined;

/** Takes the space's next cursor value (row-locking the space); undefined when there is no such space. */
async function bumpSpaceCursor(trx: Tx, spaceId: string): Promise<number | undefined> {
  const bumped = await trx
    .updateTable('spaces')
    .set({ cursor: sql`cursor + 1` })
    .where('id', '=', spaceId)
    .returning('cursor')
    .executeTakeFirst();
  return bumped === undefined ? undefined : toInt(bumped.cursor);
}

export function filesStore(ctx: StoreContext): FilesStore {
  const { db } = ctx;

  return {
    async recordFile(spaceId, fileId, recordId, size, wrappedDek) {
      if (wrappedDek.length !== WRAPPED_DEK_LENGTH) throw new StorageError('InvalidWrappedDek');
      if (size < 0) throw new StorageError('InvalidFileSize');
      return inTransaction(ctx, async (trx) => {
        // Bumping the cursor locks the space; the record check below then sees every committed push.
        const cursor = await bumpSpaceCursor(trx, spaceId);
        if (cursor === undefined) throw new StorageError('SpaceNotFound');
        // R20: only a live record of this space can own a file. An already-recorded live file is
        // left untouched (idempotent); a removed one is revived.
        const result = await sql<{ live: boolean; cursor: string | number | null }>`
          WITH rec AS (
            SELECT id FROM records WHERE id = ${recordId} AND space_id = ${spaceId} AND NOT deleted
          ), ins AS (
            INSERT INTO files (space_id, id, record_id, size, wrapped_dek, cursor, deleted)
            SELECT ${spaceId}::uuid, ${fileId}::uuid, rec.id, ${size}::bigint, ${wrappedDek}::bytea, ${cursor}::bigint, false
            FROM rec
            ON CONFLICT (space_id, id) DO UPDATE
              SET record_id = excluded.record_id, size = excluded.size, wrapped_dek = excluded.wrapped_dek,
                  cursor = excluded.cursor, deleted = false
              WHERE files.deleted
            RETURNING cursor
          )
          SELECT EXISTS (SELECT 1 FROM rec) AS live, (SELECT cursor FROM ins) AS cursor`.execute(trx);
        const row = result.rows[0];
        if (!row?.live) throw new StorageError('RecordNotFound');
        if (row.cursor === null) return rollbackWith(undefined);
        return cursor;
      });
    },

    async getFileMetadata(spaceId, fileId) {
      const row = await guard(() =>
        db
          .selectFrom('files')
          .select(['id', 'record_id', 'size', 'wrapped_dek', 'cursor'])
          .where('space_id', '=', spaceId)
          .where('id', '=', fileId)
          .where('deleted', '=', false)
          .executeTakeFirst(),
      );
      if (!row) throw new StorageError('FileNotFound');
      return {
        id: row.id,
        recordId: row.record_id,
        size: toInt(row.size),
        wrappedDek: toBytes(row.wrapped_dek),
        cursor: toInt(row.cursor),
      };
    },

    async fileExists(spaceId, fileId) {
      const row = await guard(() =>
        db
          .selectFrom('files')
          .select(sql<number>`1`.as('one'))
          .where('space_id', '=', spaceId)
          .where('id', '=', fileId)
          .where('deleted', '=', false)
          .executeTakeFirst(),
      );
      return row !== undefined;
    },

    async getFileDeks(spaceId, since) {
      const rows = await guard(() =>
        db
          .selectFrom('files')
          .select(['id', 'wrapped_dek', 'cursor'])
          .where('space_id', '=', spaceId)
          .where('cursor', '>', since)
          .where('deleted', '=', false)
          .orderBy('cursor')
          .orderBy('id')
          .execute(),
      );
      return toDekRecords(rows);
    },

    async rewrapFileDeks(spaceId, deks) {
      if (deks.length === 0) return;
      await inTransaction(ctx, async (trx) => {
        const keyGeneration = await lockKeyGeneration(trx, spaceId);
        // Every epoch is checked before anything is written (STORE-FILE-05).
        for (const dek of deks) checkDekEpoch(dek.wrappedDek, keyGeneration);
        for (const dek of deks) {
          const result = await trx
            .updateTable('files')
            .set({ wrapped_dek: dek.wrappedDek })
            .where('space_id', '=', spaceId)
            .where('id', '=', dek.id)
            .where('deleted', '=', false)
            .executeTakeFirst();
          if (result.numUpdatedRows !== 1n) throw new StorageError('FileDekNotFound');
        }
      });
    },

    async deleteFilesForRecords(spaceId, recordIds) {
      if (recordIds.length === 0) return [];
      return inTransaction(ctx, async (trx) => {
        const cursor = await bumpSpaceCursor(trx, spaceId);
        if (cursor === undefined) return [];
        const removed = await trx
          .updateTable('files')
          .set({ deleted: true, cursor })
          .where('space_id', '=', spaceId)
          .where('record_id', '=', sql<string>`ANY(${[...recordIds]}::uuid[])`)
          .where('deleted', '=', false)
          .returning('id')
          .execute();
        // Nothing removed: give the cursor value back.
        if (removed.length === 0) return rollbackWith([]);
        return removed.map((row) => row.id);
      });
    },

    async findOrphanedFiles(candidates) {
      // A ref that is not a pair of UUIDs is no file of ours: never reported, so never deleted.
      const valid = candidates.filter((c) => isUuid(c.spaceId) && isUuid(c.fileId));
      const orphans: FileRef[] = [];
      for (let start = 0; start < valid.length; start += ORPHAN_CHUNK) {
        const chunk = valid.slice(start, start + ORPHAN_CHUNK);
        const rows = await guard(() =>
          sql<{ space_id: string; id: string }>`
            SELECT c.space_id, c.id
            FROM unnest(${chunk.map((c) => c.spaceId)}::uuid[], ${chunk.map((c) => c.fileId)}::uuid[])
              WITH ORDINALITY AS c (space_id, id, n)
            WHERE NOT EXISTS (
              SELECT 1 FROM files f WHERE f.space_id = c.space_id AND f.id = c.id AND NOT f.deleted
            )
            ORDER BY c.n`.execute(db),
        );
        for (const row of rows.rows) orphans.push({ spaceId: row.space_id, fileId: row.id });
      }
      return orphans;
    },

    async listDeletedFiles({ after, limit }) {
      if (limit <= 0) return [];
      let query = db
        .selectFrom('files')
        .select(['space_id', 'id'])
        .where('deleted', '=', true)
        .orderBy('space_id')
        .orderBy('id')
        .limit(limit);
      if (after) {
        query = query.where(sql<boolean>`(space_id, id) > (${after.spaceId}::uuid, ${after.fileId}::uuid)`);
      }
      const rows = await guard(() => query.execute());
      return rows.map((row) => ({ spaceId: row.space_id, fileId: row.id }));
    },
  };
}
