import pg from 'pg';
import type { SqlExecutor, SqlQueryable, SqlResult, SqlSession } from './types.js';
import { parseDatabaseUrl, withSearchPath } from './url.js';

export interface PgPoolOptions {
  /** `postgres://` or `postgresql://` URL; `sslmode` and `options` parameters are honoured. */
  connectionString: string;
  /** Put every connection in this schema (`options=-c search_path=<schema>`). */
  searchPath?: string;
  /** Pool size (default 10, the reference driver's default). */
  max?: number;
  /** Give up connecting after this long (default 10 s). */
  connectionTimeoutMillis?: number;
  /** Called for errors on idle connections (default: ignored; the pool drops the connection). */
  onIdleError?: (error: Error) => void;
}

/** A `pg.Pool` for the URL. Validates the URL first; makes no connection until first use. */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  let url = parseDatabaseUrl(options.connectionString);
  if (options.searchPath !== undefined) url = withSearchPath(url, options.searchPath);
  const pool = new pg.Pool({
    connectionString: url.href,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
  });
  // An idle client losing its server must not become an unhandled 'error' event.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

type PgRunner = Pick<pg.PoolClient, 'query'>;

function queryable(runner: PgRunner): SqlQueryable {
  return {
    async query<R extends object>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await runner.query(sql, params ? [...params] : undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await runner.query(sql);
    },
  };
}

async function inTransaction<T>(client: pg.PoolClient, fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const value = await fn(queryable(client));
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function session(client: pg.PoolClient): SqlSession {
  return { ...queryable(client), transaction: (fn) => inTransaction(client, fn) };
}

/**
 * Whether the connection is unusable after `error`: socket failures carry no SQLSTATE; SQLSTATE
 * classes 08 (connection), 57 (operator intervention, e.g. terminated), 53/58/XX (resources,
 * system, internal) mean the session may be gone. Clients that only saw a SQL error are kept.
 */
export function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return ['08', '57', '53', '58', 'XX'].includes(code.slice(0, 2));
}

/** Runs `fn` on a checked-out client; a client that failed mid-use is destroyed, not reused. */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (error) {
    if (connectionLost(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

export interface PgExecutor extends SqlExecutor {
  readonly backend: 'postgres';
  readonly pool: pg.Pool;
}

/** Wraps a pool. `close()` ends the pool only when `ownsPool` (default true). */
export function pgExecutor(pool: pg.Pool, options: { ownsPool?: boolean } = {}): PgExecutor {
  const owns = options.ownsPool ?? true;
  let closed = false;
  return {
    backend: 'postgres',
    pool,
    ...queryable(pool),
    transaction: (fn) => withClient(pool, (client) => inTransaction(client, fn)),
    withSession: (fn) => withClient(pool, (client) => fn(session(client))),
    async close() {
      if (closed || !owns) return;
      closed = true;
      await pool.end();
    },
  };
}

/** `createPgPool` + `pgExecutor` in one step. */
export function createPgExecutor(options: PgPoolOptions): PgExecutor {
  return pgExecutor(createPgPool(options));
}
