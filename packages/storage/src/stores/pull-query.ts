/**
 * The pull page query and its row mapping (STORE-PULL-02 … 04, R18).
 *
 * Each page is one short statement (keyset pagination): the entries after a position
 * (cursor, kind, key) and at or below the pull's target cursor, in (cursor, kind, key) order, cut
 * at `rows` rows or `bytes` bytes, whichever comes first (a single larger row still forms a page).
 * Kinds rank record < membership < file, so at one cursor a push's records come before the files
 * it removed; the key is the record / file id, or the membership chain position.
 *
 * Byte sizes come from octet_length, which reads a TOASTed value's header without fetching it, so
 * rows past the budget cost the database little and are never sent. The cut is made over narrow rows
 * (kind, key, cursor, size) and only the rows kept are joined back to their table by primary key for
 * their payload: windowing and sorting the wide rows themselves cost twice as much per page. Each join's
 * key is NULL for the other kinds' rows, so a row probes only its own table's index.
 */
import { toBytes, toInt, toOptionalBytes } from '../db/values.js';
import type { PullEntry } from './types.js';

/** Per-row overhead counted toward the page's byte budget (ids, cursor, framing). */
export const ROW_OVERHEAD_BYTES = 96;

/** Kind ranks. `AFTER_ALL_KINDS` as the position's kind means "everything after this cursor". */
export const RECORD = 0;
export const MEMBERSHIP = 1;
export const FILE = 2;
export const AFTER_ALL_KINDS = 3;

export interface PullRow {
  k: number;
  id: string | null;
  chain_seq: number | null;
  cursor: string | number | bigint;
  blob: Uint8Array | null;
  wrapped_dek: Uint8Array | null;
  record_id: string | null;
  size: string | number | bigint | null;
  deleted: boolean;
  prev_hash: Uint8Array | null;
  entry_hash: Uint8Array | null;
  payload: Uint8Array | null;
  /** Rows the candidate set held before the cuts (tells a cut page from the last one). */
  available: string | number | bigint;
}

/** Where a page starts: strictly after (cursor, kind, key). */
export interface PagePosition {
  readonly cursor: number;
  readonly kind: number;
  /** Record / file id (kinds 0 and 2). */
  readonly id: string | null;
  /** Membership chain position (kind 1). */
  readonly chainSeq: number | null;
}

export const PULL_PAGE_STATEMENT = 'less_sync_pull_page_v3';

/**
 * $1 space, $2 the pull's since (tombstones are skipped only at 0), $3/$4/$5/$6 the position
 * (cursor, kind, id, chain_seq), $7 target cursor, $8 row limit, $9 byte budget.
 * `cursor >= $3` keeps each branch a range scan of its (space_id, cursor) index.
 */
export const PULL_PAGE_SQL = `
WITH candidates AS (
  (SELECT 0 AS k, id, NULL::int AS chain_seq, cursor,
          ${ROW_OVERHEAD_BYTES} + coalesce(octet_length(blob), 0) + coalesce(octet_length(wrapped_dek), 0) AS bytes
   FROM records
   WHERE space_id = $1 AND cursor >= $3::bigint AND cursor <= $7::bigint
     AND ($2::bigint <> 0 OR NOT deleted)
     AND (cursor > $3::bigint OR ($4::int = 0 AND id > $5::uuid))
   ORDER BY cursor, id LIMIT $8::int)
  UNION ALL
  (SELECT 1, NULL::uuid, chain_seq, cursor,
          ${ROW_OVERHEAD_BYTES} + coalesce(octet_length(prev_hash), 0) + coalesce(octet_length(entry_hash), 0)
            + coalesce(octet_length(payload), 0)
   FROM members
   WHERE space_id = $1 AND cursor >= $3::bigint AND cursor <= $7::bigint
     AND (cursor > $3::bigint OR $4::int < 1 OR ($4::int = 1 AND chain_seq > $6::int))
   ORDER BY cursor, chain_seq LIMIT $8::int)
  UNION ALL
  (SELECT 2, id, NULL::int, cursor, ${ROW_OVERHEAD_BYTES} + coalesce(octet_length(wrapped_dek), 0)
   FROM files
   WHERE space_id = $1 AND cursor >= $3::bigint AND cursor <= $7::bigint
     AND ($2::bigint <> 0 OR NOT deleted)
     AND (cursor > $3::bigint OR $4::int < 2 OR ($4::int = 2 AND id > $5::uuid))
   ORDER BY cursor, id LIMIT $8::int)
), ranked AS (
  SELECT k, id, chain_seq, cursor, sum(bytes) OVER w AS total, row_number() OVER w AS n,
         count(*) OVER () AS available
  FROM candidates
  WINDOW w AS (ORDER BY cursor, k, chain_seq, id ROWS UNBOUNDED PRECEDING)
), picked AS (
  SELECT k, id, chain_seq, cursor, available FROM ranked WHERE n <= $8::int AND (n = 1 OR total <= $9::bigint)
)
SELECT p.k, p.id, p.chain_seq, p.cursor, r.blob, coalesce(r.wrapped_dek, f.wrapped_dek) AS wrapped_dek,
       f.record_id, f.size, coalesce(r.deleted, f.deleted, false) AS deleted, m.prev_hash, m.entry_hash,
       m.payload, p.available
FROM picked p
LEFT JOIN records r ON r.id = CASE WHEN p.k = 0 THEN p.id END
LEFT JOIN members m ON m.space_id = $1 AND m.chain_seq = CASE WHEN p.k = 1 THEN p.chain_seq END
LEFT JOIN files f ON f.space_id = $1 AND f.id = CASE WHEN p.k = 2 THEN p.id END
ORDER BY p.cursor, p.k, p.chain_seq, p.id`;

export function pageParams(
  spaceId: string,
  since: number,
  after: PagePosition,
  target: number,
  rows: number,
  bytes: number,
): unknown[] {
  return [spaceId, since, after.cursor, after.kind, after.id, after.chainSeq, target, rows, bytes];
}

/** The position just after `row`. */
export function positionOf(row: PullRow): PagePosition {
  return { cursor: toInt(row.cursor), kind: row.k, id: row.id, chainSeq: row.chain_seq };
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
