/**
 * Database pool and pull capacity (issue: stalled readers starve everyone): the pool size, the
 * connections kept for writes, concurrent pulls per connection and per user, and the page bounds.
 */
import { DEFAULT_PULL_LIMITS, type PullLimitsConfig } from '@less-sync/api';
import { readUnsigned } from './env.js';
import { ConfigError } from './errors.js';
import type { Env } from './types.js';

export interface CapacityConfig {
  /** DATABASE_POOL_SIZE: connections in the PostgreSQL pool. */
  readonly poolSize: number;
  /** DATABASE_WRITE_RESERVE: pool connections pull reads never take. */
  readonly writeReserve: number;
  /** PULL_MAX_PER_CONNECTION, PULL_MAX_PER_USER, PULL_QUEUE_WAIT_MS. */
  readonly pull: PullLimitsConfig;
  /** PULL_PAGE_ROWS. */
  readonly pageRows: number;
  /** PULL_PAGE_BYTES. */
  readonly pageBytes: number;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_WRITE_RESERVE = 3;
export const DEFAULT_PAGE_ROWS = 2_000;
export const DEFAULT_PAGE_BYTES = 1024 * 1024;

export function parseCapacity(env: Env): CapacityConfig {
  const poolSize = readUnsigned(env, 'DATABASE_POOL_SIZE', DEFAULT_POOL_SIZE, { max: 1000 });
  const writeReserve = readUnsigned(
    env,
    'DATABASE_WRITE_RESERVE',
    Math.min(DEFAULT_WRITE_RESERVE, poolSize - 1),
    {
      allowZero: true,
    },
  );
  if (writeReserve >= poolSize) {
    throw new ConfigError(
      'DATABASE_WRITE_RESERVE',
      'DATABASE_WRITE_RESERVE must be smaller than DATABASE_POOL_SIZE',
    );
  }
  return {
    poolSize,
    writeReserve,
    pull: {
      maxPerConnection: readUnsigned(env, 'PULL_MAX_PER_CONNECTION', DEFAULT_PULL_LIMITS.maxPerConnection),
      maxPerUser: readUnsigned(env, 'PULL_MAX_PER_USER', DEFAULT_PULL_LIMITS.maxPerUser),
      queueWaitMs: readUnsigned(env, 'PULL_QUEUE_WAIT_MS', DEFAULT_PULL_LIMITS.queueWaitMs, {
        allowZero: true,
      }),
    },
    pageRows: readUnsigned(env, 'PULL_PAGE_ROWS', DEFAULT_PAGE_ROWS, { max: 100_000 }),
    pageBytes: readUnsigned(env, 'PULL_PAGE_BYTES', DEFAULT_PAGE_BYTES, { max: 256 * 1024 * 1024 }),
  };
}

/** What storage gets: page bounds, and the read gate leaving the write reserve free (pool only). */
export function storagePullOptions(capacity: CapacityConfig, pooled: boolean) {
  return {
    pageRows: capacity.pageRows,
    pageBytes: capacity.pageBytes,
    maxConcurrentReads: pooled ? capacity.poolSize - capacity.writeReserve : 0,
  };
}
