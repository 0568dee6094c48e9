/** The in-house Kysely dialect for PGlite. Always runs on PGlite, whatever TEST_DATABASE_URL says. */
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, PgliteDialect, type StorageDatabase } from '../../src/index.js';

let pglite: PGlite;
let database: StorageDatabase;

beforeAll(async () => {
  pglite = await PGlite.create();
  await pglite.exec('CREATE TABLE probe (id int PRIMARY KEY, note text)');
  database = openDatabase({ backend: 'pglite', db: pglite });
}, 60_000);

afterAll(async () => {
  await database.close();
  await pglite.close();
});

type Probe = { probe: { id: number; note: string | null } };

describe('PGlite dialect', () => {
  it('SCHEMA-01 STORE-GEN-01 runs queries and reports affected rows', async () => {
    const db = database.kysely.withTables<Probe>();
    const inserted = await db.insertInto('probe').values({ id: 1, note: 'a' }).executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(1n);
    const updated = await db.updateTable('probe').set({ note: 'b' }).where('id', '=', 1).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    expect(await db.selectFrom('probe').selectAll().execute()).toEqual([{ id: 1, note: 'b' }]);
    expect(database.backend).toBe('pglite');
    expect(database.multiConnection).toBe(false);
  });

  it('STORE-PULL-01 transactions apply isolation and access mode, commit and roll back', async () => {
    const db = database.kysely.withTables<Probe>();
    const level = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(
        async (trx) =>
          (
            await sql<{ l: string; ro: string }>`
              SELECT current_setting('transaction_isolation') AS l, current_setting('transaction_read_only') AS ro`.execute(
              trx,
            )
          ).rows[0],
      );
    expect(level).toEqual({ l: 'repeatable read', ro: 'on' });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('probe').values({ id: 2, note: 'gone' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.selectFrom('probe').select('id').where('id', '=', 2).execute()).toEqual([]);
    await db
      .transaction()
      .execute((trx) => trx.insertInto('probe').values({ id: 3, note: 'kept' }).execute());
    expect(await db.selectFrom('probe').select('id').where('id', '=', 3).execute()).toEqual([{ id: 3 }]);
  });

  it('STORE-REC-02 an open transaction holds the instance: other queries wait for it', async () => {
    const db = database.kysely.withTables<Probe>();
    const trx = await db.startTransaction().execute();
    await trx.insertInto('probe').values({ id: 4, note: 'pending' }).execute();
    let seen: number | undefined;
    const outside = db
      .selectFrom('probe')
      .select('id')
      .where('id', '=', 4)
      .execute()
      .then((rows) => {
        seen = rows.length;
      });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toBeUndefined();
    await trx.commit().execute();
    await outside;
    expect(seen).toBe(1);
  });

  it('STORE-GEN-02 a failing SET TRANSACTION, a double begin, streaming and a leaked connection are handled', async () => {
    const driver = new PgliteDialect(pglite).createDriver();
    await driver.init();
    const connection = await driver.acquireConnection();
    // Kysely allows 'snapshot' for other databases; PostgreSQL rejects it and the begin is undone.
    await expect(driver.beginTransaction(connection, { isolationLevel: 'snapshot' })).rejects.toThrow();
    await driver.beginTransaction(connection, {});
    await expect(driver.beginTransaction(connection, {})).rejects.toThrow('already open');
    await connection.executeQuery(CompiledQuery.raw("INSERT INTO probe VALUES (5, 'leaked')"));
    // Released without commit: rolled back, and the instance is free again.
    await driver.releaseConnection(connection);
    await driver.rollbackTransaction(connection);
    expect((await pglite.query('SELECT id FROM probe WHERE id = 5')).rows).toEqual([]);
    await expect(connection.streamQuery(CompiledQuery.raw('SELECT 1')).next()).rejects.toThrow(
      'not supported',
    );
    await driver.destroy();
    expect(pglite.closed).toBe(false);
  });

  it('STORE-GEN-01 an owned instance is closed with the database; BEGIN on a closed instance fails', async () => {
    const own = await PGlite.create();
    const owned = openDatabase({ backend: 'pglite', db: own }, { owns: true });
    await owned.close();
    expect(own.closed).toBe(true);
    const driver = new PgliteDialect(own).createDriver();
    await expect(driver.beginTransaction(await driver.acquireConnection(), {})).rejects.toThrow();
  }, 60_000);
});
