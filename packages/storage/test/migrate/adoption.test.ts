import {
  LEDGER_TABLE,
  loadMigrations,
  type MigrationStep,
  migrate,
  migrationStatus,
  REFERENCE_MIGRATIONS,
  schemaVersion,
} from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, backends, type Scratch } from './backends.js';
import { schemaSnapshot, withoutLedger } from './catalog.js';
import { referenceDatabase, sqlxRows } from './reference-db.js';

describe.each(await backends())('adopting a reference database on $name', (backend: Backend) => {
  let s: Scratch;
  beforeEach(async () => {
    s = await backend.scratch();
  });
  afterEach(() => s.dispose());

  it('R26 SCHEMA-01 a fully migrated reference database is adopted, nothing runs twice', async () => {
    await referenceDatabase(s.db);
    const before = withoutLedger(await schemaSnapshot(s.db));
    expect(await schemaVersion(s.db)).toEqual({ version: 12, dirty: false });
    const status = await migrationStatus(s.db);
    expect(status.slice(0, 12).every((x) => x.state === 'applied' && x.fromReference)).toBe(true);
    expect(status.slice(12).map((x) => [x.version, x.state])).toEqual([
      [13, 'pending'],
      [14, 'pending'],
    ]);
    expect(status[0]?.installedOn).toBe('2025-03-04T05:06:07Z');

    const seen: MigrationStep[] = [];
    const result = await migrate(s.db, { onStep: (x) => seen.push(x) });
    expect(result.version).toBe(14);
    // 001-012 are adopted as they are; only our additive 013 and 014 run.
    expect(seen.map((x) => `${x.action} ${x.version}`)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => `adopt ${i + 1}`),
      'apply 13',
      'apply 14',
    ]);
    const clusterFree = (lines: string[]) => lines.filter((line) => !line.includes('cluster_'));
    expect(clusterFree(withoutLedger(await schemaSnapshot(s.db)))).toEqual(before);

    const ours = await s.db.query<{ version: number; checksum: string; installed: string; ns: string }>(
      `SELECT version::int AS version, encode(checksum, 'hex') AS checksum,
              to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS installed, execution_time::text AS ns
       FROM ${LEDGER_TABLE} WHERE version <= 12 ORDER BY version`,
    );
    const files = await loadMigrations();
    expect(ours.rows).toEqual(
      files.migrations.slice(0, 12).map((m) => ({
        version: m.version,
        checksum: m.checksum,
        installed: '2025-03-04',
        ns: '1234567',
      })),
    );
    // The reference's ledger is left as it was, so its own server still accepts the database.
    expect(await sqlxRows(s.db)).toEqual(
      REFERENCE_MIGRATIONS.map((m) => ({ version: m.version, checksum: m.checksum })),
    );
    expect((await migrate(s.db)).steps).toEqual([]);
    expect((await migrationStatus(s.db)).every((x) => x.state === 'applied' && !x.fromReference)).toBe(true);
  });

  it('R26 a partly migrated reference database is adopted, the rest applied and mirrored', async () => {
    await referenceDatabase(s.db, 9);
    const result = await migrate(s.db);
    expect(result.steps.map((x) => `${x.action} ${x.version}`)).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `adopt ${i + 1}`),
      'apply 10',
      'apply 11',
      'apply 12',
      'apply 13',
      'apply 14',
    ]);
    expect(await sqlxRows(s.db)).toEqual(
      REFERENCE_MIGRATIONS.map((m) => ({ version: m.version, checksum: m.checksum })),
    );
    await migrate(s.db, { direction: 'down', steps: 4 });
    expect((await sqlxRows(s.db)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await schemaVersion(s.db)).toEqual({ version: 10, dirty: false });
  });

  it('R26 a reference migration re-applied after our down is adopted again, not run', async () => {
    await referenceDatabase(s.db);
    await migrate(s.db, { direction: 'down' });
    expect((await sqlxRows(s.db)).map((r) => r.version)).not.toContain(12);
    await s.db.query(
      `INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
       VALUES (12, 'federation key lifecycle', true, decode($1, 'hex'), 1)`,
      [REFERENCE_MIGRATIONS[11]?.checksum],
    );
    await s.db.exec(`ALTER TABLE federation_signing_keys ADD COLUMN is_active boolean NOT NULL DEFAULT true,
      ADD COLUMN is_primary boolean NOT NULL DEFAULT false, ADD COLUMN deactivated_at timestamptz;
      CREATE UNIQUE INDEX federation_signing_keys_single_primary_idx ON federation_signing_keys ((is_primary)) WHERE is_primary = true`);
    const { steps } = await migrate(s.db);
    expect(steps.map((x) => `${x.action} ${x.version}`)).toEqual(['adopt 12', 'apply 13', 'apply 14']);
  });

  it('R26 a dirty reference ledger row stops the run', async () => {
    await referenceDatabase(s.db, 5);
    await s.db.exec('UPDATE _sqlx_migrations SET success = false WHERE version = 5');
    await expect(migrate(s.db)).rejects.toMatchObject({
      code: 'dirty',
      version: 5,
      message: 'migration 5 is partially applied; fix and remove row from _sqlx_migrations table',
    });
    expect(await schemaVersion(s.db)).toEqual({ version: 5, dirty: true });
    expect((await migrationStatus(s.db))[4]?.state).toBe('dirty');
  });

  it('R26 a reference ledger with an unknown version or a foreign checksum is refused', async () => {
    await referenceDatabase(s.db, 12);
    await s.db.exec(`INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
      VALUES (13, 'something newer', true, '\\x00', 1)`);
    await expect(migrate(s.db)).rejects.toMatchObject({ code: 'reference_ledger', version: 13 });
    expect((await migrationStatus(s.db)).find((x) => x.version === 13)).toMatchObject({
      version: 13,
      state: 'missing',
    });

    await s.db.exec(`DELETE FROM _sqlx_migrations WHERE version = 13;
      UPDATE _sqlx_migrations SET checksum = '\\x01' WHERE version = 3`);
    await expect(migrate(s.db)).rejects.toMatchObject({
      code: 'reference_ledger',
      version: 3,
      message: expect.stringContaining('cannot be adopted'),
    });
    expect((await migrationStatus(s.db))[2]?.state).toBe('modified');
    // Nothing was recorded in our ledger by the failed runs.
    const { rows } = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${LEDGER_TABLE}`);
    expect(rows[0]?.n).toBe(0);
  });
});
