/** The floor variants: the storage's own SQL statements, issued directly with `pg`. */
import type pg from 'pg';
import { insertRecordsSql, LOCK_AND_BUMP_SQL } from '../src/stores/push-sql.js';
import { BENCH_BLOB } from './context.js';

/** The bare floor's pull at since 0: one snapshot over the three kinds, merged in cursor order, no byte cut. */
const FLOOR_PULL_SQL = `
  SELECT 0 AS k, id, cursor, blob, wrapped_dek, NULL::uuid AS record_id, NULL::bigint AS size, deleted,
         NULL::int AS chain_seq, NULL::bytea AS entry_hash, NULL::bytea AS payload
  FROM records WHERE space_id = $1 AND cursor > 0 AND NOT deleted
  UNION ALL
  SELECT 1, NULL, cursor, NULL, NULL, NULL, NULL, false, chain_seq, entry_hash, payload
  FROM members WHERE space_id = $1 AND cursor > 0
  UNION ALL
  SELECT 2, id, cursor, NULL, wrapped_dek, record_id, size, deleted, NULL, NULL, NULL
  FROM files WHERE space_id = $1 AND cursor > 0 AND NOT deleted
  ORDER BY cursor, k, id`;

const INSERT_ONE_RECORD = insertRecordsSql(1);

export async function floorPush(pool: pg.Pool, spaceId: string, id: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const locked = await client.query<{ cursor: string }>(LOCK_AND_BUMP_SQL, [spaceId]);
    const cursor = locked.rows[0]?.cursor;
    const inserted = await client.query(INSERT_ONE_RECORD, [spaceId, cursor, id, BENCH_BLOB, null, false]);
    if (inserted.rowCount !== 1) throw new Error('floor push conflicted');
    await client.query('commit');
  } finally {
    client.release();
  }
}

/**
 * A bare paged pull on PostgreSQL: snapshot, meta, DECLARE, FETCH 500 then 2,000 until a short
 * page, end (one connection held throughout, which the server no longer does). `keep` holds every row like `collect()` holds every entry (the
 * reference bench collects); without it rows are dropped page by page, like a streaming consumer.
 */
export async function floorPull(pool: pg.Pool, spaceId: string, keep = true): Promise<number> {
  const client = await pool.connect();
  const kept: unknown[] = [];
  try {
    await client.query('start transaction isolation level repeatable read read only');
    await client.query('select "cursor", "key_generation", "rewrap_epoch" from "spaces" where "id" = $1', [
      spaceId,
    ]);
    await client.query(`DECLARE less_sync_pull NO SCROLL CURSOR FOR ${FLOOR_PULL_SQL}`, [spaceId]);
    let rows = 500;
    let total = 0;
    while (true) {
      const page = await client.query(`FETCH FORWARD ${rows} FROM "less_sync_pull"`);
      total += page.rows.length;
      if (keep) for (const row of page.rows) kept.push(row);
      if (page.rows.length < rows) break;
      rows = 2_000;
    }
    await client.query('rollback');
    return keep ? kept.length : total;
  } finally {
    client.release();
  }
}
