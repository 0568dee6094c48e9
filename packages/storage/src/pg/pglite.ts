import { join } from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import type { SqlExecutor, SqlQueryable, SqlResult } from './types.js';
import { assertSchemaName } from './url.js';

/** Where the embedded database lives inside the server's data directory. */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

export interface PgliteOptions {
  /** On-disk data directory (created if missing); omit for an in-memory database. */
  dataDir?: string;
  /** Create this schema if missing and make it the search_path. */
  searchPath?: string;
}

export interface OpenedPglite {
  readonly db: PGlite;
  /** Closes the instance and releases the data-directory lock. */
  close(): Promise<void>;
}

/**
 * Opens an embedded PGlite. An on-disk directory is locked against a second process first
 * (`DatabaseConfigError` code `data_dir_locked`).
 */
export async function openPglite(options: PgliteOptions = {}): Promise<OpenedPglite> {
  if (options.searchPath !== undefined) assertSchemaName(options.searchPath);
  const lock: DataDirLock | undefined = options.dataDir ? await lockDataDir(options.dataDir) : undefined;
  let db: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
    if (options.searchPath !== undefined) {
      await db.exec(
        `CREATE SCHEMA IF NOT EXISTS "${options.searchPath}"; SET search_path TO "${options.searchPath}"`,
      );
    }
  } catch (error) {
    await lock?.release();
    throw error;
  }
  let closed = false;
  return {
    db,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

function queryable(runner: PGlite | Transaction): SqlQueryable {
  return {
    async query<R extends object>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await runner.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await runner.exec(sql);
    },
  };
}

export interface PgliteExecutor extends SqlExecutor {
  readonly backend: 'pglite';
  readonly db: PGlite;
}

/**
 * Wraps a PGlite instance. PGlite is a single connection: `withSession` hands out the instance
 * itself, and its own mutex keeps each transaction exclusive. `close` runs `onClose` (e.g. the
 * `OpenedPglite.close`) when given, else leaves the instance open.
 */
export function pgliteExecutor(db: PGlite, onClose?: () => Promise<void>): PgliteExecutor {
  const base = {
    ...queryable(db),
    transaction: <T>(fn: (tx: SqlQueryable) => Promise<T>) => db.transaction((tx) => fn(queryable(tx))),
  };
  let closed = false;
  return {
    backend: 'pglite',
    db,
    ...base,
    withSession: (fn) => fn(base),
    async close() {
      if (closed) return;
      closed = true;
      await onClose?.();
    },
  };
}

/** `openPglite` + `pgliteExecutor`; `close()` closes the instance and releases the lock. */
export async function createPgliteExecutor(options: PgliteOptions = {}): Promise<PgliteExecutor> {
  const opened = await openPglite(options);
  return pgliteExecutor(opened.db, () => opened.close());
}
