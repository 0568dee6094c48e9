import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError } from './errors.js';

/** One migration: `NNN_name.up.sql` plus an optional `NNN_name.down.sql`. */
export interface Migration {
  readonly version: number;
  /** File-name part after the number, `_` → space (the ledger's `description`). */
  readonly description: string;
  readonly up: string;
  readonly down: string | undefined;
  /** SHA-384 of the up file's bytes, lowercase hex. */
  readonly checksum: string;
  /** The up script opts out of the per-migration transaction (`-- no-transaction` first line). */
  readonly noTransaction: boolean;
}

export interface MigrationSet {
  readonly dir: string;
  /** Ascending by version. */
  readonly migrations: readonly Migration[];
}

const FILE = /^(\d+)_([^.]+)\.(up|down)\.sql$/;

/**
 * The repository's `migrations/` folder. This module sits at `packages/storage/{src,dist}/migrate/`,
 * so the same relative path works from sources and from the build. A published package carries its own
 * copy (`<package>/migrations/`, made when packing); it is used only outside the repository, so a stale
 * copy can never shadow the repository's migrations.
 */
export function defaultMigrationsDir(): string {
  const repository = new URL('../../../../migrations/', import.meta.url);
  const bundled = new URL('../../migrations/', import.meta.url);
  const inRepository = existsSync(new URL('../../../../pnpm-workspace.yaml', import.meta.url));
  return fileURLToPath(!inRepository && existsSync(bundled) ? bundled : repository);
}

export function sha384Hex(bytes: Uint8Array): string {
  return createHash('sha384').update(bytes).digest('hex');
}

/** Names of the regular files in `dir`. */
async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    throw new MigrationError(
      'invalid_migration_set',
      `cannot read migrations directory ${dir}: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
}

/** Reads and checks the migration files of `dir`. Files not named `NNN_name.(up|down).sql` are ignored. */
export async function loadMigrations(dir: string = defaultMigrationsDir()): Promise<MigrationSet> {
  const byVersion = new Map<number, { name: string; up?: Buffer; down?: string }>();
  for (const file of (await listDir(dir)).sort()) {
    const match = FILE.exec(file);
    if (!match) continue;
    const [, digits, name, kind] = match as unknown as [string, string, string, 'up' | 'down'];
    const version = Number.parseInt(digits, 10);
    const entry = byVersion.get(version) ?? { name };
    if (entry.name !== name) {
      throw new MigrationError(
        'invalid_migration_set',
        `two migrations share version ${version}: ${entry.name} and ${name}`,
        version,
      );
    }
    if (entry[kind] !== undefined) {
      throw new MigrationError(
        'invalid_migration_set',
        `duplicate ${kind} script for version ${version}`,
        version,
      );
    }
    const bytes = await readFile(join(dir, file));
    if (kind === 'up') entry.up = bytes;
    else entry.down = bytes.toString('utf8');
    byVersion.set(version, entry);
  }
  const migrations: Migration[] = [];
  for (const [version, entry] of [...byVersion].sort((a, b) => a[0] - b[0])) {
    if (version < 1) {
      throw new MigrationError(
        'invalid_migration_set',
        `migration version must be at least 1: ${entry.name}`,
      );
    }
    if (!entry.up) {
      throw new MigrationError(
        'invalid_migration_set',
        `migration ${version} has a down script but no up script`,
        version,
      );
    }
    const up = entry.up.toString('utf8');
    migrations.push({
      version,
      description: entry.name.replaceAll('_', ' '),
      up,
      down: entry.down,
      checksum: sha384Hex(entry.up),
      noTransaction: up.startsWith('-- no-transaction'),
    });
  }
  return { dir, migrations };
}

/** `create`'s slug: lowercase, each run of other characters one `_`, trimmed of `_`. */
export function migrationSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Creates the next `NNN_<slug>.up.sql` and `.down.sql` in `dir`; never overwrites. Returns both paths. */
export async function createMigration(dir: string, name: string): Promise<{ up: string; down: string }> {
  const slug = migrationSlug(name);
  if (slug === '') {
    throw new MigrationError('create_failed', `migration name "${name}" has no letters or digits`);
  }
  const existing = await loadMigrations(dir);
  // Two migrations of one name make `status` and the ledger ambiguous to read: refuse the second.
  const description = slug.replaceAll('_', ' ');
  const same = existing.migrations.find((m) => m.description === description);
  if (same !== undefined) {
    throw new MigrationError(
      'create_failed',
      `a migration named "${slug}" already exists (${String(same.version).padStart(3, '0')}_${slug}); choose another name`,
      same.version,
    );
  }
  const next = (existing.migrations.at(-1)?.version ?? 0) + 1;
  const base = `${String(next).padStart(3, '0')}_${slug}`;
  const up = join(dir, `${base}.up.sql`);
  const down = join(dir, `${base}.down.sql`);
  const write = async (path: string, text: string) => {
    try {
      await writeFile(path, text, { flag: 'wx' });
    } catch (error) {
      throw new MigrationError('create_failed', `cannot create ${path}: ${(error as Error).message}`, next, {
        cause: error,
      });
    }
  };
  await write(up, `-- ${base}: apply the change.\n`);
  try {
    await write(down, `-- ${base}: revert what the up script does.\n`);
  } catch (error) {
    await rm(up, { force: true });
    throw error;
  }
  return { up, down };
}
