import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createPgExecutor,
  createPgliteExecutor,
  DatabaseConfigError,
  embeddedDatabaseDir,
  parseDatabaseUrl,
  pgErrorFields,
  redactDatabaseUrl,
  type SqlExecutor,
} from '@less-sync/storage';

export type Env = Readonly<Record<string, string | undefined>>;

/** Data directory of the embedded database: `LESS_SYNC_DATA_DIR`, default `./data` (R23). */
export const DATA_DIR_VARIABLE = 'LESS_SYNC_DATA_DIR';

export interface OpenedDatabase {
  readonly db: SqlExecutor;
  /** Human description for messages, password masked. */
  readonly where: string;
  readonly embedded: boolean;
}

/** The connection check failed: server down, wrong credentials, unknown database… */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

export function embeddedDir(env: Env, cwd: string): string {
  return embeddedDatabaseDir(resolve(cwd, env[DATA_DIR_VARIABLE] || './data'));
}

/**
 * `DATABASE_URL` when set; otherwise the embedded PGlite in the data directory. A read-only command
 * on an embedded database that does not exist yet gets an empty in-memory one instead of creating it.
 */
export async function openDatabase(env: Env, cwd: string, readOnly: boolean): Promise<OpenedDatabase> {
  const raw = env.DATABASE_URL;
  if (raw === undefined) {
    const dataDir = embeddedDir(env, cwd);
    if (readOnly && !existsSync(join(dataDir, 'PG_VERSION'))) {
      return {
        db: await createPgliteExecutor(),
        where: `embedded database ${dataDir} (not created yet)`,
        embedded: true,
      };
    }
    return {
      db: await createPgliteExecutor({ dataDir }),
      where: `embedded database ${dataDir}`,
      embedded: true,
    };
  }
  if (raw.trim() === '') {
    throw new DatabaseConfigError(
      'missing_url',
      `DATABASE_URL is set but empty (unset it to use the embedded database in ${embeddedDir(env, cwd)})`,
    );
  }
  const url = parseDatabaseUrl(raw);
  const where = `PostgreSQL at ${redactDatabaseUrl(url)}`;
  const db = createPgExecutor({ connectionString: url.href, max: 2 });
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await db.close().catch(() => undefined);
    const fields = pgErrorFields(error);
    const reason = fields.message || fields.code || 'connection failed';
    throw new ConnectError(`cannot connect to ${where}: ${reason}`, { cause: error });
  }
  return { db, where, embedded: false };
}
