/**
 * A migrated schema with a ready `Storage` on it, for storage and API tests:
 *
 *   const t = await createTestStorage();
 *   await t.storage.createSpace(id, 'client-1');
 *   ...
 *   await t.close(); // closes the storage and drops the schema
 *
 * On a real server the storage has its own small pool in the test's schema. On PGlite, starting
 * an instance takes seconds, so the instance is kept per test file and every test gets a fresh
 * schema in it (a second storage open at the same time gets an instance of its own).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import { openDatabase } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { migrate } from '../migrate/runner.js';
import type { PgExecutor, PgliteExecutor } from '../pg/index.js';
import type { SqlExecutor } from '../pg/types.js';
import type { Storage } from '../stores/interfaces.js';
import { createStorage, type StorageOptions } from '../stores/storage.js';
import {
  createTestDatabase,
  newSchemaName,
  type TestDatabase,
  testDatabaseBackend,
} from './test-database.js';
import { testExecutor } from './test-executor.js';

export interface TestStorage {
  readonly storage: Storage;
  readonly database: TestDatabase;
  /** Raw SQL in the test's schema (setup, assertions). */
  readonly executor: SqlExecutor;
  /** The typed Kysely instance the storage runs on. */
  readonly kysely: Kysely<Database>;
  /** Whether concurrent connections exist (false on PGlite). */
  readonly multiConnection: boolean;
  /** Closes the storage and the executor, then drops the schema. Idempotent. */
  close(): Promise<void>;
}

export interface TestStorageOptions extends StorageOptions {
  /** Pool size on a real server (default 6). */
  readonly maxConnections?: number;
}

let idle: PGlite | undefined;

/** A schema in a reused PGlite instance; `drop()` removes the schema and returns the instance. */
async function sharedPgliteDatabase(): Promise<TestDatabase> {
  let instance = idle;
  idle = undefined;
  if (!instance) {
    const { PGlite } = await import('@electric-sql/pglite');
    instance = await PGlite.create();
  }
  const db = instance;
  const schema = newSchemaName();
  await db.exec(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
  let dropped = false;
  return {
    backend: 'pglite',
    schema,
    connectionString: undefined,
    pglite: db,
    multiConnection: false,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.exec(`SET search_path TO public; DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      if (idle) await db.close();
      else idle = db;
    },
  };
}

export async function createTestStorage(options: TestStorageOptions = {}): Promise<TestStorage> {
  const database =
    (await testDatabaseBackend()) === 'pglite' ? await sharedPgliteDatabase() : await createTestDatabase();
  const executor = testExecutor(database, { max: options.maxConnections ?? 6 });
  try {
    await migrate(executor);
  } catch (error) {
    await executor.close();
    await database.drop();
    throw error;
  }
  const source =
    executor.backend === 'postgres'
      ? { backend: 'postgres' as const, pool: (executor as PgExecutor).pool }
      : { backend: 'pglite' as const, db: (executor as PgliteExecutor).db };
  const db = openDatabase(source);
  const storage = createStorage(db, options);
  let closed: Promise<void> | undefined;
  return {
    storage,
    database,
    executor,
    kysely: db.kysely,
    multiConnection: database.multiConnection,
    close() {
      closed ??= (async () => {
        await storage.close();
        await executor.close();
        await database.drop();
      })();
      return closed;
    },
  };
}
