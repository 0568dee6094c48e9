import { mkdir } from 'node:fs/promises';
import {
  createPgliteExecutor,
  createPgPool,
  type DatabaseSource,
  pgExecutor,
  type SqlExecutor,
} from '@less-sync/storage';
import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config/types.js';
import type { PoolStats } from '../metrics/index.js';
import { NOOP_TRACING, type Tracing, tracePgPool } from '../tracing/index.js';

export interface ServerDatabase {
  readonly executor: SqlExecutor;
  /** What the stores' Kysely runs on (the same pool / instance). */
  readonly source: DatabaseSource;
  readonly kind: 'postgres' | 'embedded';
  /** Pool occupancy for the metrics gauge (PostgreSQL only). */
  readonly poolStats: (() => PoolStats) | undefined;
  close(): Promise<void>;
}

/**
 * CONFIG-03 / R23: a pg pool for `DATABASE_URL` (one connection is made at once, so an unreachable
 * database fails the start, as the reference), or the embedded PGlite in its data directory.
 */
export async function openServerDatabase(
  config: DatabaseConfig,
  logger: Logger,
  poolSize?: number,
  tracing: Tracing = NOOP_TRACING,
): Promise<ServerDatabase> {
  if (config.kind === 'postgres') {
    const pool = createPgPool({
      connectionString: config.url,
      ...(poolSize === undefined ? {} : { max: poolSize }),
      onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    });
    tracePgPool(tracing, pool);
    const executor = pgExecutor(pool);
    try {
      await executor.query('SELECT 1');
    } catch (error) {
      await executor.close().catch(() => undefined);
      throw new Error(`database error: ${(error as Error).message}`, { cause: error });
    }
    return {
      executor,
      source: { backend: 'postgres', pool },
      kind: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => executor.close(),
    };
  }
  await mkdir(config.dir, { recursive: true });
  const executor = await createPgliteExecutor({ dataDir: config.dir });
  logger.info({ dir: config.dir }, 'using the embedded database (PGlite)');
  return {
    executor,
    source: { backend: 'pglite', db: executor.db },
    kind: 'embedded',
    poolStats: undefined,
    close: () => executor.close(),
  };
}
