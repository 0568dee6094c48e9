import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPgExecutor,
  createPgliteExecutor,
  DatabaseConfigError,
  embeddedDatabaseDir,
  lockDataDir,
  parseDatabaseUrl,
  pgErrorFields,
  redactDatabaseUrl,
  withSearchPath,
} from '@less-sync/storage';
import { createTestDatabase, testDatabaseBackend } from '@less-sync/storage/testing';
import { describe, expect, it } from 'vitest';

describe('CONFIG-03 database URLs', () => {
  it('missing, empty, malformed and foreign URLs are config errors', () => {
    expect(() => parseDatabaseUrl(undefined)).toThrow(
      new DatabaseConfigError('missing_url', 'DATABASE_URL is not set'),
    );
    expect(() => parseDatabaseUrl('  ')).toThrow('DATABASE_URL is not set');
    expect(() => parseDatabaseUrl('not a url')).toThrow('invalid DATABASE_URL: not a URL');
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(
      /scheme must be postgres:\/\/ or postgresql:\/\/, got mysql:/,
    );
    expect(() => parseDatabaseUrl('postgres:///db')).toThrow('invalid DATABASE_URL: no host');
    expect(parseDatabaseUrl('postgres:///db?host=/var/run/postgresql').pathname).toBe('/db');
    expect(parseDatabaseUrl('postgresql://u:p@h:5/db?sslmode=disable').host).toBe('h:5');
  });

  it('search_path goes into options, keeping options already there; passwords are masked', () => {
    const url = withSearchPath(
      parseDatabaseUrl('postgres://u:secret@h/db?options=-c%20statement_timeout%3D5s'),
      's1',
    );
    expect(url.searchParams.get('options')).toBe('-c statement_timeout=5s -c search_path=s1');
    expect(() => withSearchPath(url, 'bad name')).toThrow(/invalid schema name/);
    expect(redactDatabaseUrl(url)).toContain('u:***@h');
  });

  it('pgErrorFields reads what is there', () => {
    const e = Object.assign(new Error('boom'), { code: '42P01', position: '7', detail: 'd' });
    expect(pgErrorFields(e)).toEqual({ message: 'boom', code: '42P01', detail: 'd', position: '7' });
    expect(pgErrorFields('x')).toEqual({
      message: 'x',
      code: undefined,
      detail: undefined,
      position: undefined,
    });
  });
});

const real = (await testDatabaseBackend()) !== 'pglite';

describe.runIf(real)('STORE-GEN-01 the pg pool executor', () => {
  it('connections start in the schema; transactions commit and roll back; sessions keep state', async () => {
    const t = await createTestDatabase();
    const db = createPgExecutor({
      connectionString: t.connectionString as string,
      searchPath: t.schema,
      max: 2,
    });
    try {
      expect((await db.query<{ s: string }>('SELECT current_schema() AS s')).rows).toEqual([{ s: t.schema }]);
      await db.exec('CREATE TABLE t (a int); INSERT INTO t VALUES (1)');
      expect(await db.transaction((tx) => tx.query('INSERT INTO t VALUES (2), (3)'))).toMatchObject({
        rowCount: 2,
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (4)');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 3 }]);
      const pid = await db.withSession(async (session) => {
        await session.exec("SET application_name = 'kept'");
        await session.transaction((tx) => tx.query('INSERT INTO t VALUES (5)'));
        const r = await session.query<{ name: string; pid: number }>(
          "SELECT current_setting('application_name') AS name, pg_backend_pid() AS pid",
        );
        expect(r.rows[0]?.name).toBe('kept');
        return r.rows[0]?.pid;
      });
      // A session whose connection dies is discarded, and the pool carries on.
      await expect(
        db.withSession((session) => session.query('SELECT pg_terminate_backend(pg_backend_pid())')),
      ).rejects.toThrow();
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 4 }]);
      expect(pid).toBeTypeOf('number');
    } finally {
      await db.close();
      await db.close();
      await t.drop();
    }
  });

  it('an unreachable server fails the first query, not the construction', async () => {
    const db = createPgExecutor({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 2000,
    });
    await expect(db.query('SELECT 1')).rejects.toThrow(/ECONNREFUSED|connect/);
    await db.close();
  });
});

describe('R23 embedded PGlite', () => {
  it('opens an on-disk database, keeps data across opens, and locks the directory against a second opener', async () => {
    const root = await mkdtemp(join(tmpdir(), 'less-sync-pglite-'));
    const dataDir = embeddedDatabaseDir(root);
    expect(dataDir).toBe(join(root, 'pglite'));
    try {
      const db = await createPgliteExecutor({ dataDir, searchPath: 'app' });
      await db.exec('CREATE TABLE t (a int); INSERT INTO t VALUES (7)');
      await expect(createPgliteExecutor({ dataDir })).rejects.toMatchObject({ code: 'data_dir_locked' });
      expect(
        await db.withSession((s) => s.transaction((tx) => tx.query('UPDATE t SET a = 8'))),
      ).toMatchObject({
        rowCount: 1,
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.exec('UPDATE t SET a = 9');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await db.close();
      await db.close();
      const again = await createPgliteExecutor({ dataDir, searchPath: 'app' });
      expect((await again.query('SELECT a FROM t')).rows).toEqual([{ a: 8 }]);
      await again.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a leftover pid lock file naming a live process (pid 1 after a container restart) is ignored', async () => {
    const root = await mkdtemp(join(tmpdir(), 'less-sync-lock-'));
    const dataDir = join(root, 'db');
    try {
      await writeFile(`${dataDir}.lock`, '1\n');
      const lock = await lockDataDir(dataDir);
      await expect(lockDataDir(dataDir)).rejects.toThrow(`is in use by process ${process.pid}`);
      // Another spelling of the same directory is the same lock.
      await expect(lockDataDir(`${dataDir}/`)).rejects.toMatchObject({ code: 'data_dir_locked' });
      await lock.release();
      await lock.release();
      await (await lockDataDir(dataDir)).release();
      expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe('1\n');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
