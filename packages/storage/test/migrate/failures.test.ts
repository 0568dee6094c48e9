import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEDGER_TABLE, MigrationError, migrate, migrationStatus, schemaVersion } from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, backends, type Scratch } from './backends.js';

async function migrationDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'less-sync-migrations-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const tables = async (s: Scratch) =>
  (
    await s.db.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' ORDER BY 1`,
    )
  ).rows.map((r) => r.name);

describe.each(await backends())('migration failures on $name', (backend: Backend) => {
  let s: Scratch;
  let dir: string | undefined;
  beforeEach(async () => {
    s = await backend.scratch();
    dir = undefined;
  });
  afterEach(async () => {
    await s.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('CLI-MIGRATE-03 a failing migration names itself, keeps the PostgreSQL message and applies nothing of it', async () => {
    dir = await migrationDir({
      '001_first.up.sql': 'CREATE TABLE one (a int);\n',
      '001_first.down.sql': 'DROP TABLE one;\n',
      '002_broken.up.sql': 'CREATE TABLE two (a int);\nINSERT INTO two VALUES (1);\nSELECT * FROM nowhere;\n',
      '003_later.up.sql': 'CREATE TABLE three (a int);\n',
    });
    const error = await migrate(s.db, { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({
      code: 'migration_failed',
      version: 2,
      message:
        'migration 2 (broken) failed to apply (line 3): relation "nowhere" does not exist; rolled back, nothing of it was applied',
    });
    expect(await tables(s)).toEqual(['less_sync_migrations', 'one']);
    expect(await schemaVersion(s.db, { dir })).toEqual({ version: 1, dirty: false });
  });

  it('CLI-MIGRATE-04 down refuses, before changing anything, a migration without a down script', async () => {
    dir = await migrationDir({
      '001_first.up.sql': 'CREATE TABLE one (a int);\n',
      '001_first.down.sql': 'DROP TABLE one;\n',
      '002_second.up.sql': 'CREATE TABLE two (a int);\n',
    });
    await migrate(s.db, { dir });
    await expect(migrate(s.db, { dir, direction: 'down', steps: 2 })).rejects.toMatchObject({
      code: 'irreversible',
      version: 2,
      message: 'migration 2 (second) is not reversible: no down script',
    });
    expect(await tables(s)).toEqual(['less_sync_migrations', 'one', 'two']);
  });

  it('CLI-MIGRATE-04 a failing down script rolls back and keeps the ledger row', async () => {
    dir = await migrationDir({
      '001_first.up.sql': 'CREATE TABLE one (a int);\n',
      '001_first.down.sql': 'DROP TABLE one;\nDROP TABLE not_there;\n',
    });
    await migrate(s.db, { dir });
    await expect(migrate(s.db, { dir, direction: 'down' })).rejects.toMatchObject({
      code: 'migration_failed',
      message:
        'migration 1 (first) failed to revert: table "not_there" does not exist; rolled back, nothing of it was reverted',
    });
    expect(await tables(s)).toEqual(['less_sync_migrations', 'one']);
    expect(await schemaVersion(s.db, { dir })).toEqual({ version: 1, dirty: false });
  });

  it('CLI-MIGRATE-02 a -- no-transaction migration runs outside a transaction', async () => {
    dir = await migrationDir({
      '001_first.up.sql': 'CREATE TABLE one (a int);\n',
      '002_outside.up.sql': '-- no-transaction\nCREATE TABLE two (a int);\n',
    });
    const { steps } = await migrate(s.db, { dir });
    expect(steps.map((x) => x.version)).toEqual([1, 2]);
    expect(await tables(s)).toEqual(['less_sync_migrations', 'one', 'two']);
  });

  describe('a ledger that disagrees with the files is a clear error, and nothing runs', () => {
    beforeEach(async () => {
      await migrate(s.db, { steps: 3 });
    });

    it('CLI-MIGRATE-03 modified checksum', async () => {
      await s.db.exec(`UPDATE ${LEDGER_TABLE} SET checksum = '\\x00' WHERE version = 2`);
      await expect(migrate(s.db)).rejects.toMatchObject({
        code: 'modified',
        version: 2,
        message: 'migration 2 was previously applied but has been modified',
      });
      expect((await migrationStatus(s.db))[1]?.state).toBe('modified');
      expect(await schemaVersion(s.db)).toEqual({ version: 3, dirty: false });
    });

    it('CLI-MIGRATE-03 renamed migration', async () => {
      await s.db.exec(`UPDATE ${LEDGER_TABLE} SET description = 'old name' WHERE version = 3`);
      await expect(migrate(s.db, { direction: 'down' })).rejects.toMatchObject({
        code: 'renamed',
        message: 'migration 3 was applied as "old name" but its file is now "invitations"',
      });
    });

    it('CLI-MIGRATE-03 unknown version in the ledger', async () => {
      await s.db.exec(`INSERT INTO ${LEDGER_TABLE} (version, description, success, checksum, execution_time)
        VALUES (99, 'from the future', true, '\\x00', 1)`);
      await expect(migrate(s.db)).rejects.toMatchObject({
        code: 'missing',
        message: 'migration 99 was previously applied but is missing in the resolved migrations',
      });
      const status = await migrationStatus(s.db);
      expect(status.at(-1)).toMatchObject({ version: 99, description: 'from the future', state: 'missing' });
    });

    it('CLI-MIGRATE-03 dirty row wins over the others', async () => {
      await s.db.exec(`UPDATE ${LEDGER_TABLE} SET checksum = '\\x00' WHERE version = 1;
        INSERT INTO ${LEDGER_TABLE} (version, description, success, checksum, execution_time)
        VALUES (4, 'add wrapped dek', false, '\\x00', -1)`);
      await expect(migrate(s.db)).rejects.toMatchObject({
        code: 'dirty',
        message: 'migration 4 is partially applied; fix and remove row from less_sync_migrations table',
      });
      expect(await schemaVersion(s.db)).toEqual({ version: 4, dirty: true });
      const { rows } = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${LEDGER_TABLE}`);
      expect(rows[0]?.n).toBe(4);
    });
  });
});
