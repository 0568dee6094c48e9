import type { PGlite } from '@electric-sql/pglite';
import { createPgExecutor, pgliteExecutor, type SqlExecutor } from '@less-sync/storage';
import { createTestDatabase, newSchemaName, testDatabaseBackend } from '@less-sync/storage/testing';
import { afterAll } from 'vitest';

export interface Scratch {
  readonly db: SqlExecutor;
  readonly schema: string;
  /** A second executor on the same schema (another connection on PostgreSQL). */
  another(): SqlExecutor;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: 'postgres' | 'pglite';
  /** A fresh, empty schema. */
  scratch(): Promise<Scratch>;
}

const postgres: Backend = {
  name: 'postgres',
  async scratch() {
    const testDb = await createTestDatabase();
    const url = testDb.connectionString as string;
    const opened: SqlExecutor[] = [];
    const open = () => {
      const db = createPgExecutor({ connectionString: url, searchPath: testDb.schema, max: 3 });
      opened.push(db);
      return db;
    };
    return {
      db: open(),
      schema: testDb.schema,
      another: open,
      async dispose() {
        await Promise.all(opened.map((db) => db.close()));
        await testDb.drop();
      },
    };
  },
};

// One embedded instance per test file (starting one takes about a second); each test its own schema.
let shared: Promise<PGlite> | undefined;
afterAll(async () => {
  if (shared) await (await shared).close();
  shared = undefined;
});

const pglite: Backend = {
  name: 'pglite',
  async scratch() {
    shared ??= import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create());
    const instance = await shared;
    const schema = newSchemaName('m');
    await instance.exec(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
    const db = pgliteExecutor(instance);
    return {
      db,
      schema,
      another: () => db,
      async dispose() {
        await instance.exec(`DROP SCHEMA "${schema}" CASCADE; SET search_path TO public`);
      },
    };
  },
};

/** Real PostgreSQL when one is configured (TEST_DATABASE_URL), and always PGlite. */
export async function backends(): Promise<Backend[]> {
  const real = (await testDatabaseBackend()) !== 'pglite';
  return real ? [postgres, pglite] : [pglite];
}
