/** What every store closes over, plus the transaction and error-mapping helpers they share. */
import { DEFAULT_MAX_BLOB_SIZE } from '@less-sync/core';
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseBackend, StorageDatabase } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { StorageError } from './errors.js';
import type { ReadGate } from './read-gate.js';

export interface StorageLimits {
  /** Changes per push (reference: 100,000). */
  readonly maxRecordsPerPush: number;
  /** Bytes per record blob (reference: 5 MiB, allowed exactly). */
  readonly maxBlobBytes: number;
  /** Sum of blob bytes per push (reference: 500 MiB). */
  readonly maxPushPayloadBytes: number;
}

export const DEFAULT_LIMITS: StorageLimits = {
  maxRecordsPerPush: 100_000,
  maxBlobBytes: DEFAULT_MAX_BLOB_SIZE,
  maxPushPayloadBytes: 500 * 1024 * 1024,
};

export interface PullDefaults {
  /** Most rows in one page (PULL_PAGE_ROWS). */
  readonly pageRows: number;
  /** Most bytes in one page; a single larger row still forms a page (PULL_PAGE_BYTES). */
  readonly pageBytes: number;
  /** Close a stream when the consumer has not asked for this long. */
  readonly idleTimeoutMs: number;
  /**
   * Page reads running at once (0: unbounded). The app sets pool size minus the write reserve,
   * so pulls never take the connections writes need.
   */
  readonly maxConcurrentReads: number;
  /** How long a page read waits for its turn before failing with `Unavailable`. */
  readonly readWaitMs: number;
}

export const DEFAULT_PULL: PullDefaults = {
  pageRows: 2_000,
  pageBytes: 1024 * 1024,
  idleTimeoutMs: 60_000,
  maxConcurrentReads: 0,
  readWaitMs: 10_000,
};

export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly backend: DatabaseBackend;
  readonly limits: StorageLimits;
  readonly pull: PullDefaults;
  /** Named prepared statements on the driver, for the hot paths. */
  readonly prepared: StorageDatabase['prepared'];
  /** Bounds concurrent pull page reads (see PullDefaults.maxConcurrentReads). */
  readonly reads: ReadGate;
}

export type Tx = Transaction<Database>;

/** Thrown inside a transaction to roll it back while still returning a value. */
class Rollback<T> {
  constructor(readonly value: T) {}
}

export function rollbackWith<T>(value: T): never {
  throw new Rollback(value);
}

/** READ COMMITTED transaction; driver errors become `Database`, `rollbackWith` values are returned. */
export async function inTransaction<T>(ctx: StoreContext, fn: (trx: Tx) => Promise<T>): Promise<T> {
  try {
    return await ctx.db.transaction().execute(fn);
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw StorageError.database(error);
  }
}

/** Runs one autocommit operation, mapping driver errors to `Database`. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw StorageError.database(error);
  }
}
