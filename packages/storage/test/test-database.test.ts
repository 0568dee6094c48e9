import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('test database helper', () => {
  it('gives each test its own empty schema on the chosen backend', async () => {
    db = await createTestDatabase();
    if (process.env.CI === 'true') expect(db.backend).toBe('postgres');
    const sql = `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = '${db.schema}'`;
    if (db.pglite) {
      await db.pglite.exec('CREATE TABLE probe (id int)');
      const res = await db.pglite.query<{ n: number }>(sql);
      expect(res.rows[0]?.n).toBe(1);
    } else {
      const client = new pg.Client({
        connectionString: db.connectionString,
        options: `-c search_path=${db.schema}`,
      });
      await client.connect();
      await client.query('CREATE TABLE probe (id int)');
      const res = await client.query<{ n: number }>(sql);
      await client.end();
      expect(res.rows[0]?.n).toBe(1);
    }
  });

  it('never hands out the same schema twice', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a.schema).not.toBe(b.schema);
    await a.drop();
    await b.drop();
  });
});
