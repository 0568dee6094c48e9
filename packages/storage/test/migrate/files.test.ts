import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMigration, loadMigrations, migrationSlug } from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('migration files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'less-sync-files-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('CLI-MIGRATE-02 version from the digits, description with spaces, other files ignored', async () => {
    await writeFile(join(dir, '007_add_things.up.sql'), 'SELECT 1;\n');
    await writeFile(join(dir, '007_add_things.down.sql'), 'SELECT 2;\n');
    await writeFile(join(dir, '010_later.up.sql'), '-- no-transaction\nSELECT 3;\n');
    await writeFile(join(dir, 'README.md'), 'not a migration');
    await writeFile(join(dir, '011_old_style.sql'), 'SELECT 4;');
    await mkdir(join(dir, 'down'));
    const set = await loadMigrations(dir);
    expect(set.migrations.map((m) => [m.version, m.description, m.down, m.noTransaction])).toEqual([
      [7, 'add things', 'SELECT 2;\n', false],
      [10, 'later', undefined, true],
    ]);
    // SHA-384 of the up file's bytes.
    expect(set.migrations[0]?.checksum).toBe(createHash('sha384').update('SELECT 1;\n').digest('hex'));
  });

  it('CLI-MIGRATE-02 an inconsistent set is an error', async () => {
    await writeFile(join(dir, '001_a.up.sql'), '');
    await writeFile(join(dir, '001_b.up.sql'), '');
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: 'invalid_migration_set' });
    await rm(join(dir, '001_b.up.sql'));
    await writeFile(join(dir, '002_c.down.sql'), '');
    await expect(loadMigrations(dir)).rejects.toThrow('migration 2 has a down script but no up script');
    await rm(join(dir, '002_c.down.sql'));
    await writeFile(join(dir, '000_zero.up.sql'), '');
    await expect(loadMigrations(dir)).rejects.toThrow(/at least 1/);
    await expect(loadMigrations(join(dir, 'nope'))).rejects.toThrow(/cannot read migrations directory/);
  });

  it('CLI-MIGRATE-07 slug rules', () => {
    expect(migrationSlug('Add Widgets!')).toBe('add_widgets');
    expect(migrationSlug('  --x--y__z  ')).toBe('x_y_z');
    expect(migrationSlug('Ünïcode 2')).toBe('n_code_2');
    expect(migrationSlug('!!!')).toBe('');
  });

  it('CLI-MIGRATE-07 create numbers after the highest version and never overwrites', async () => {
    await writeFile(join(dir, '012_last.up.sql'), '');
    const created = await createMigration(dir, 'Add Widgets');
    expect(created).toEqual({
      up: join(dir, '013_add_widgets.up.sql'),
      down: join(dir, '013_add_widgets.down.sql'),
    });
    expect(await readFile(created.up, 'utf8')).toMatch(/^-- 013_add_widgets: .*\n$/);
    expect(await readFile(created.down, 'utf8')).toMatch(/^-- 013_add_widgets: .*\n$/);
    expect((await createMigration(dir, 'next')).up).toBe(join(dir, '014_next.up.sql'));
    await expect(createMigration(dir, '???')).rejects.toMatchObject({ code: 'create_failed' });
    const empty = await mkdtemp(join(tmpdir(), 'less-sync-files-'));
    try {
      expect((await createMigration(empty, 'first')).up).toBe(join(empty, '001_first.up.sql'));
    } finally {
      await rm(empty, { recursive: true });
    }
  });

  it('CLI-MIGRATE-07 create refuses a name that already exists (in any spelling of the same slug)', async () => {
    await writeFile(join(dir, '001_add_widgets.up.sql'), '');
    for (const name of ['add_widgets', 'Add Widgets']) {
      await expect(createMigration(dir, name)).rejects.toMatchObject({
        code: 'create_failed',
        message: expect.stringContaining('a migration named "add_widgets" already exists (001_add_widgets)'),
      });
    }
    expect((await loadMigrations(dir)).migrations).toHaveLength(1);
  });

  it('CLI-MIGRATE-07 a clash leaves no half-created migration', async () => {
    await writeFile(join(dir, '001_a.up.sql'), '');
    await writeFile(join(dir, '002_clash.down.sql'), 'keep me');
    // 002 has a down but no up: the set is invalid, so create refuses before writing anything.
    await expect(createMigration(dir, 'clash')).rejects.toMatchObject({ code: 'invalid_migration_set' });
    await rm(join(dir, '002_clash.down.sql'));
    await mkdir(join(dir, '002_clash.down.sql')); // a directory in the way of the down file
    await expect(createMigration(dir, 'clash')).rejects.toMatchObject({ code: 'create_failed' });
    expect((await readdir(dir)).sort()).toEqual(['001_a.up.sql', '002_clash.down.sql']);
  });
});
