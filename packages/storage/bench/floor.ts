/** The floor variants: the storage's own SQL statements, issued directly with `pg`. */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type pg from 'pg';
import type { Database } from '../src/index.js';
import { pullQuery } from '../src/stores/pull-query.js';
import { insertRecordsSql, LOCK_AND_BUMP_SQL } from '../src/stores/push-sql.js';
import { BENCH_BLOB } from './context.js';

/** Compiles our queries to the exact SQL text the floor sends. */
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

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
 * Same statements as `streamPull` on PostgreSQL: snapshot, meta, DECLARE, FETCH 500 then 2,000
 * until a short page, end. `keep` holds every row like `collect()` holds every entry (the
 * reference bench collects); without it rows are dropped page by page, like a streaming consumer.
 */
export async function floorPull(pool: pg.Pool, spaceId: string, keep = true): Promise<number> {
  const query = pullQuery(spaceId, 0).compile(compiler);
  const client = await pool.connect();
  const kept: unknown[] = [];
  try {
    await client.query('start transaction isolation level repeatable read read only');
    await client.query('select "cursor", "key_generation", "rewrap_epoch" from "spaces" where "id" = $1', [
      spaceId,
    ]);
    await client.query(`DECLARE less_sync_pull NO SCROLL CURSOR FOR ${query.sql}`, [...query.parameters]);
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
