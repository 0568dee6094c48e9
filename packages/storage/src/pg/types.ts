/**
 * A small SQL surface shared by the PostgreSQL pool and the embedded PGlite backend. The migration
 * runner and operational tools use it; the domain stores build Kysely on the same pool/instance.
 */

export type SqlBackend = 'postgres' | 'pglite';

export interface SqlResult<R> {
  readonly rows: R[];
  /** Rows affected by INSERT/UPDATE/DELETE (0 when the driver does not say). */
  readonly rowCount: number;
}

export interface SqlQueryable {
  /** One statement with `$n` parameters (extended protocol). */
  query<R extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>>;
  /** A script of one or more statements, no parameters (simple protocol). */
  exec(sql: string): Promise<void>;
}

export interface SqlSession extends SqlQueryable {
  /** BEGIN … COMMIT around `fn`; ROLLBACK and rethrow when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

export interface SqlExecutor extends SqlSession {
  readonly backend: SqlBackend;
  /**
   * Runs `fn` on one dedicated connection, so session state (advisory locks, SET) stays with it.
   * The connection goes back to the pool afterwards, or is discarded if it broke.
   */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Releases the pool or instance. Idempotent. */
  close(): Promise<void>;
}

export type DatabaseConfigErrorCode = 'missing_url' | 'invalid_url' | 'invalid_schema' | 'data_dir_locked';

/** Bad connection configuration, detected before any network I/O. */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
  constructor(
    readonly code: DatabaseConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The fields PostgreSQL (and PGlite) errors carry, read defensively from an unknown value. */
export interface PgErrorFields {
  message: string;
  code: string | undefined;
  detail: string | undefined;
  position: string | undefined;
}

export function pgErrorFields(error: unknown): PgErrorFields {
  if (error instanceof Error) {
    const e = error as Error & { code?: unknown; detail?: unknown; position?: unknown };
    return {
      message: error.message,
      code: typeof e.code === 'string' ? e.code : undefined,
      detail: typeof e.detail === 'string' ? e.detail : undefined,
      position: typeof e.position === 'string' ? e.position : undefined,
    };
  }
  return { message: String(error), code: undefined, detail: undefined, position: undefined };
}
