/** The floor variants: the storage's own SQL statements, issued directly with `pg`. */
import type pg from 'pg';
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

/** The floor push: one statement that bumps the space cursor and inserts the record, named and prepared. */
const FLOOR_PUSH_SQL =
  'WITH s AS (UPDATE spaces SET cursor = cursor + 1 WHERE id = $1 RETURNING cursor), ' +
  'i AS (INSERT INTO records (id, space_id, blob, cursor, deleted) SELECT $2, $1, $3, s.cursor, false FROM s ' +
  'ON CONFLICT (id) DO NOTHING RETURNING id) SELECT s.cursor, (SELECT count(*) FROM i) AS n FROM s';

export async function floorPush(pool: pg.Pool, spaceId: string, id: string): Promise<void> {
  const { rows } = await pool.query<{ n: string }>({
    name: 'floor_push',
    text: FLOOR_PUSH_SQL,
    values: [spaceId, id, BENCH_BLOB],
  });
  if (Number(rows[0]?.n) !== 1) throw new Error('floor push conflicted');
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
