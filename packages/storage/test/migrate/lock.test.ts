import { advisoryLockKey, migrate, type SqlExecutor } from '@less-sync/storage';
import { testDatabaseBackend } from '@less-sync/storage/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type Scratch } from './backends.js';

describe('SCHEMA-01 CLI-MIGRATE-02 the migration lock', () => {
  it("uses the reference's key: 0x3d32ad9e × CRC-32/ISO-HDLC(database name)", () => {
    expect(advisoryLockKey('123456789')).toBe(0x3d32ad9en * 0xcbf43926n);
    expect(advisoryLockKey('')).toBe(0n);
    // Always a valid signed 64-bit value.
    expect(advisoryLockKey('a database name with ünïcode') < 2n ** 63n).toBe(true);
  });
});

const real = (await testDatabaseBackend()) !== 'pglite';
const postgres = (await backends()).find((b) => b.name === 'postgres');

describe.runIf(real && postgres)('SCHEMA-01 locking on PostgreSQL', () => {
  let s: Scratch;
  let other: SqlExecutor;
  beforeEach(async () => {
    s = await (postgres as NonNullable<typeof postgres>).scratch();
    other = s.another();
  });
  afterEach(() => s.dispose());

  it('waits for a migrator that holds the lock and gives up after lockTimeoutMs', async () => {
    const { rows } = await s.db.query<{ name: string }>('SELECT current_database() AS name');
    const key = advisoryLockKey(rows[0]?.name ?? '').toString();
    await other.withSession(async (session) => {
      await session.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      try {
        await expect(migrate(s.db, { lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'lock_timeout' });
      } finally {
        await session.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      }
    });
    expect((await migrate(s.db)).version).toBe(14);
  });

  it('two concurrent migrators apply each migration exactly once', async () => {
    const [a, b] = await Promise.all([migrate(s.db), migrate(other)]);
    const applied = [...a.steps, ...b.steps].filter((x) => x.action === 'apply').map((x) => x.version);
    expect(applied.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect([a.version, b.version]).toEqual([14, 14]);
  });

  it('releases the lock when a run fails', async () => {
    await s.db.exec('CREATE TABLE spaces (id int)'); // 001 will collide with it
    await expect(migrate(s.db)).rejects.toMatchObject({ code: 'migration_failed', version: 1 });
    await s.db.exec('DROP TABLE spaces');
    expect((await migrate(other, { lockTimeoutMs: 1000 })).version).toBe(14);
  });
});
