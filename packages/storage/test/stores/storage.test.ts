import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createStorage,
  isStorageError,
  openDatabase,
  openStorage,
  parseDekEpoch,
  type SpacesStore,
  type Storage,
  StorageError,
  schemaVersion,
} from '../../src/index.js';
import { createTestStorage } from '../../src/testing/index.js';
import { expectKind, useTestStorage } from './helpers.js';

describe('storage assembly', () => {
  const ctx = useTestStorage();

  it('STORE-GEN-07 every domain is reachable through the union (storage_trait_dispatch_smoke)', async () => {
    const spaces: SpacesStore = ctx.storage;
    const id = randomUUID();
    await spaces.createSpace(id, 'client-trait');
    const backend: Storage = ctx.storage;
    const fetched = await backend.getSpace(id);
    expect(fetched.id).toBe(id);
    expect(fetched.client_id).toBe('client-trait');
    expect(backend.backend).toBe(ctx.t.database.backend === 'pglite' ? 'pglite' : 'postgres');
  });

  it('STORE-GEN-01 a second storage over the same source works and closing it leaves the source open', async () => {
    const source =
      ctx.t.executor.backend === 'postgres'
        ? {
            backend: 'postgres' as const,
            pool: (ctx.t.executor as unknown as { pool: import('pg').Pool }).pool,
          }
        : {
            backend: 'pglite' as const,
            db: (ctx.t.executor as unknown as { db: import('@electric-sql/pglite').PGlite }).db,
          };
    const second = openStorage(source, { limits: { maxRecordsPerPush: 1 } });
    const id = randomUUID();
    await second.createSpace(id, 'c');
    await expect(
      second.push(id, [
        { id: randomUUID(), cursor: 0 },
        { id: randomUUID(), cursor: 0 },
      ]),
    ).rejects.toMatchObject({ kind: 'PushRecordLimitExceeded' });
    await second.close();
    expect((await ctx.storage.getSpace(id)).client_id).toBe('c');
    const third = createStorage(openDatabase(source), {});
    await third.ping();
    await third.close();
    // A closed storage fails cleanly, pull included.
    await expectKind(third.streamPull(id, 0), 'Database');
    await expectKind(third.getSpace(id), 'Database');
    expect((await ctx.storage.getSpace(id)).id).toBe(id);
  });

  it('STORE-GEN-02 SQL errors inside create and get-or-create are Database errors', async () => {
    await expectKind(ctx.storage.createSpace('not-a-uuid', 'c'), 'Database');
    await expectKind(ctx.storage.getOrCreateSpace('not-a-uuid', 'c'), 'Database');
  });

  it('STORE-TEST-01 every test storage is a fresh, migrated, isolated schema that is dropped on close', async () => {
    expect(await schemaVersion(ctx.t.executor)).toEqual({ version: 14, dirty: false });
    const other = await createTestStorage();
    try {
      expect(other.database.schema).not.toBe(ctx.t.database.schema);
      const id = randomUUID();
      await other.storage.createSpace(id, 'elsewhere');
      await expectKind(ctx.storage.getSpace(id), 'SpaceNotFound');
    } finally {
      await other.close();
    }
    if (ctx.t.database.backend !== 'pglite') {
      const left = await ctx.t.executor.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [other.database.schema],
      );
      expect(left.rows).toEqual([]);
    }
  }, 60_000);

  it('STORE-GEN-02 errors carry kind and reference messages', () => {
    const conflict = new StorageError('EpochConflict', {
      epochConflict: { currentEpoch: 2, rewrapEpoch: 2 },
    });
    expect(conflict.message).toBe('epoch conflict: rewrap in progress');
    expect(new StorageError('Database', { detail: 'boom' }).message).toBe('database error: boom');
    expect(new StorageError('Migration', { detail: 'bad' }).message).toBe('migration error: bad');
    expect(new StorageError('MissingDatabaseUrl').message).toBe('DATABASE_URL is not set');
    expect(new StorageError('Unavailable').message).toBe('storage unavailable');
    expect(isStorageError(conflict)).toBe(true);
    expect(isStorageError(conflict, 'EpochConflict')).toBe(true);
    expect(isStorageError(conflict, 'Database')).toBe(false);
    expect(isStorageError(new Error('x'))).toBe(false);
    const wrapped = StorageError.database('plain');
    expect(wrapped.message).toBe('database error: plain');
    expect(StorageError.database(conflict)).toBe(conflict);
  });

  it('STORE-GEN-05 DEK epoch: big-endian signed, positive only', () => {
    expect(parseDekEpoch(new Uint8Array([0, 0, 0, 1, 9]))).toBe(1);
    expect(parseDekEpoch(new Uint8Array([0, 0, 1, 0]))).toBe(256);
    expect(parseDekEpoch(new Uint8Array([0, 0, 0, 0]))).toBeUndefined();
    expect(parseDekEpoch(new Uint8Array([0xfe, 0xfe, 0xfe, 0xfe]))).toBeUndefined();
    expect(parseDekEpoch(new Uint8Array([0, 0, 1]))).toBeUndefined();
    const view = new Uint8Array([9, 0, 0, 0, 7]).subarray(1);
    expect(parseDekEpoch(view)).toBe(7);
  });
});
