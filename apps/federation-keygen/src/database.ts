import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createPgliteExecutor,
  createPgPool,
  DatabaseConfigError,
  embeddedDatabaseDir,
  openStorage,
  parseDatabaseUrl,
  pgErrorFields,
  redactDatabaseUrl,
  type Storage,
} from '@less-sync/storage';

export type Env = Readonly<Record<string, string | undefined>>;

export interface OpenedStorage {
  readonly storage: Storage;
  /** The database named in messages, password masked. */
  readonly where: string;
  close(): Promise<void>;
}

/** A database problem; the message already names the database. Exit code 1. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

/**
 * The server's database: `--database-url`, else `DATABASE_URL`, else the embedded database in
 * `LESS_SYNC_DATA_DIR` (R23). The schema must exist already (the server or `migrate up` creates it).
 */
export async function openKeyStorage(url: string | undefined, env: Env, cwd: string): Promise<OpenedStorage> {
  const raw = url ?? env.DATABASE_URL;
  if (raw === undefined)
    return openEmbedded(embeddedDatabaseDir(resolve(cwd, env.LESS_SYNC_DATA_DIR || './data')));
  if (raw.trim() === '') throw new DatabaseError('database error: the database URL is empty');
  let parsed: URL;
  try {
    parsed = parseDatabaseUrl(raw);
  } catch (error) {
    throw new DatabaseError(`database error: ${(error as Error).message}`);
  }
  const where = `PostgreSQL at ${redactDatabaseUrl(parsed)}`;
  const pool = createPgPool({ connectionString: parsed.href, max: 2, onIdleError: () => undefined });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseError(`database error: cannot connect to ${where}: ${reasonOf(error)}`);
  }
  const storage = openStorage({ backend: 'postgres', pool });
  return {
    storage,
    where,
    async close() {
      await storage.close();
      await pool.end();
    },
  };
}

async function openEmbedded(dir: string): Promise<OpenedStorage> {
  const where = `embedded database ${dir}`;
  // Creating an empty database here would only hide the mistake: the server makes it on first start.
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    throw new DatabaseError(
      `database error: there is no ${where}: start the server once (or run "migrate up"), or set DATABASE_URL`,
    );
  }
  let executor: Awaited<ReturnType<typeof createPgliteExecutor>>;
  try {
    executor = await createPgliteExecutor({ dataDir: dir });
  } catch (error) {
    const hint = error instanceof DatabaseConfigError ? ' (stop the server that uses it first)' : '';
    throw new DatabaseError(`database error: cannot open the ${where}: ${reasonOf(error)}${hint}`);
  }
  const storage = openStorage({ backend: 'pglite', db: executor.db });
  return {
    storage,
    where,
    async close() {
      await storage.close();
      await executor.close();
    },
  };
}

export function reasonOf(error: unknown): string {
  const fields = pgErrorFields(error);
  return fields.message || fields.code || (error instanceof Error ? error.message : String(error));
}
