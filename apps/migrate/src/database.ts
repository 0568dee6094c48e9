import { existsSync, readFileSync } from 'node:fs';
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
 * `DATABASE_URL`, or the content of the file `DATABASE_URL_FILE` names (Docker/Kubernetes secrets; trailing
 * newlines removed), as the server reads it. Both set is an error.
 */
export function databaseUrl(env: Env): string | undefined {
  const file = env.DATABASE_URL_FILE?.trim();
  if (file === undefined || file === '') return env.DATABASE_URL;
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL.trim() !== '') {
    throw new DatabaseConfigError('invalid_url', 'set either DATABASE_URL or DATABASE_URL_FILE, not both');
  }
  try {
    return readFileSync(file, 'utf8').replace(/(\r?\n)+$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DatabaseConfigError(
      'invalid_url',
      `cannot read DATABASE_URL_FILE ${JSON.stringify(file)}: ${reason}`,
    );
  }
}

/**
 * `DATABASE_URL` (or `DATABASE_URL_FILE`) when set; otherwise the embedded PGlite in the data directory. A read-only command
 * on an embedded database that does not exist yet gets an empty in-memory one instead of creating it.
 */
export async function openDatabase(env: Env, cwd: string, readOnly: boolean): Promise<OpenedDatabase> {
  const raw = databaseUrl(env);
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
