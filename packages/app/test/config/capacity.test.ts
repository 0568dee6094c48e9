import { describe, expect, it } from 'vitest';
import { storagePullOptions } from '../../src/config/capacity.js';
import { load, loadError } from './helpers.js';

describe('database pool and pull capacity', () => {
  it('STORE-PULL-05 RPC-PULL-1 defaults: pool 10 with 3 kept for writes, 2 pulls per connection, 4 per user', () => {
    const { capacity } = load();
    expect(capacity).toEqual({
      poolSize: 10,
      writeReserve: 3,
      pull: { maxPerConnection: 2, maxPerUser: 4, queueWaitMs: 5_000 },
      pageRows: 2_000,
      pageBytes: 1_048_576,
    });
    expect(storagePullOptions(capacity, true)).toEqual({
      pageRows: 2_000,
      pageBytes: 1_048_576,
      maxConcurrentReads: 7,
    });
    // The embedded database is one connection: nothing to reserve.
    expect(storagePullOptions(capacity, false).maxConcurrentReads).toBe(0);
  });

  it('STORE-PULL-05 every value is configurable', () => {
    const { capacity } = load({
      DATABASE_POOL_SIZE: '20',
      DATABASE_WRITE_RESERVE: '0',
      PULL_MAX_PER_CONNECTION: '1',
      PULL_MAX_PER_USER: '3',
      PULL_QUEUE_WAIT_MS: '0',
      PULL_PAGE_ROWS: '100',
      PULL_PAGE_BYTES: '65536',
    });
    expect(capacity).toEqual({
      poolSize: 20,
      writeReserve: 0,
      pull: { maxPerConnection: 1, maxPerUser: 3, queueWaitMs: 0 },
      pageRows: 100,
      pageBytes: 65_536,
    });
    // A pool of one keeps no reserve by default.
    expect(load({ DATABASE_POOL_SIZE: '1' }).capacity.writeReserve).toBe(0);
  });

  it('STORE-PULL-05 bad values name the variable', () => {
    expect(loadError({ DATABASE_WRITE_RESERVE: '10' }).message).toBe(
      'DATABASE_WRITE_RESERVE must be smaller than DATABASE_POOL_SIZE',
    );
    expect(loadError({ DATABASE_POOL_SIZE: '0' }).message).toBe(
      'DATABASE_POOL_SIZE must be greater than zero',
    );
    expect(loadError({ PULL_MAX_PER_USER: 'many' }).message).toBe(
      'invalid PULL_MAX_PER_USER value "many": invalid digit found in string',
    );
    expect(loadError({ PULL_PAGE_ROWS: '0' }).message).toBe('PULL_PAGE_ROWS must be greater than zero');
  });
});
