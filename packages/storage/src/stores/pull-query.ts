/**
 * The unified pull query and its row mapping (STORE-PULL-02 … 04, R18): records, membership
 * entries and files after `since`, in (cursor, kind, id) order, so ties within one push come out
 * in record-id order and a push's records come before the files it removed.
 */
import { type RawBuilder, sql } from 'kysely';
import { toBytes, toInt, toOptionalBytes } from '../db/values.js';
import type { PullEntry } from './types.js';

const ROW_OVERHEAD_BYTES = 96;

/** Kind ranks: at one cursor a push's records come before the files it removed. */
const RECORD = 0;
const MEMBERSHIP = 1;
const FILE = 2;

export interface PullRow {
  k: number;
  id: string | null;
  cursor: string | number;
  blob: Uint8Array | null;
  wrapped_dek: Uint8Array | null;
  record_id: string | null;
  size: string | number | null;
  deleted: boolean;
  chain_seq: number | null;
  prev_hash: Uint8Array | null;
  entry_hash: Uint8Array | null;
  payload: Uint8Array | null;
}

/** The entry query. At since = 0 (initial sync) tombstones and removed files are left out. */
export function pullQuery(spaceId: string, since: number): RawBuilder<PullRow> {
  return sql<PullRow>`
    SELECT ${sql.lit(RECORD)} AS k, id, cursor, blob, wrapped_dek, NULL::uuid AS record_id,
           NULL::bigint AS size, deleted, NULL::int AS chain_seq, NULL::bytea AS prev_hash,
           NULL::bytea AS entry_hash, NULL::bytea AS payload
    FROM records
    WHERE space_id = ${spaceId} AND cursor > ${since}::bigint AND (${since}::bigint <> 0 OR NOT deleted)
    UNION ALL
    SELECT ${sql.lit(MEMBERSHIP)}, NULL::uuid, cursor, NULL::bytea, NULL::bytea, NULL::uuid,
           NULL::bigint, false, chain_seq, prev_hash, entry_hash, payload
    FROM members
    WHERE space_id = ${spaceId} AND cursor > ${since}::bigint
    UNION ALL
    SELECT ${sql.lit(FILE)}, id, cursor, NULL::bytea, wrapped_dek, record_id,
           size, deleted, NULL::int, NULL::bytea, NULL::bytea, NULL::bytea
    FROM files
    WHERE space_id = ${spaceId} AND cursor > ${since}::bigint AND (${since}::bigint <> 0 OR NOT deleted)
    ORDER BY cursor, k, id`;
}

export function toPullEntry(row: PullRow, spaceId: string): PullEntry {
  const cursor = toInt(row.cursor);
  if (row.k === RECORD) {
    return {
      kind: 'record',
      cursor,
      record: {
        id: row.id as string,
        blob: toOptionalBytes(row.blob),
        cursor,
        dek: toOptionalBytes(row.wrapped_dek),
        deleted: row.deleted,
      },
    };
  }
  if (row.k === MEMBERSHIP) {
    return {
      kind: 'membership',
      cursor,
      member: {
        spaceId,
        chainSeq: row.chain_seq as number,
        cursor,
        prevHash: row.prev_hash === null ? new Uint8Array(0) : toBytes(row.prev_hash),
        entryHash: toBytes(row.entry_hash as Uint8Array),
        payload: toBytes(row.payload as Uint8Array),
      },
    };
  }
  // The query produces no other kind than FILE here.
  return {
    kind: 'file',
    cursor,
    file: {
      id: row.id as string,
      recordId: row.record_id as string,
      size: toInt(row.size as string | number),
      deleted: row.deleted,
      wrappedDek: toBytes(row.wrapped_dek as Uint8Array),
      cursor,
    },
  };
}

/** Rough in-memory size of a row, for sizing the next page. */
export function rowBytes(row: PullRow): number {
  return (
    ROW_OVERHEAD_BYTES +
    (row.blob?.length ?? 0) +
    (row.wrapped_dek?.length ?? 0) +
    (row.payload?.length ?? 0) +
    (row.entry_hash?.length ?? 0) +
    (row.prev_hash?.length ?? 0)
  );
}
