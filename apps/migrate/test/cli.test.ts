import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPgExecutor,
  LEDGER_TABLE,
  lockDataDir,
  REFERENCE_MIGRATIONS,
  type SqlExecutor,
} from '@less-sync/storage';
import { createTestDatabase, type TestDatabase, testDatabaseBackend } from '@less-sync/storage/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { USAGE } from '../src/args.js';
import { type CliRun, cli, DESCRIPTIONS, schemaUrl } from './helpers.js';

const real = (await testDatabaseBackend()) !== 'pglite';
const usage = USAGE.split('\n');

describe('CLI-MIGRATE-08 command line', () => {
  it.each([['--help'], ['-h'], ['help'], ['up', '--help']])(
    '%s prints usage on stdout, exit 0',
    async (...argv) => {
      expect(await cli(argv, {})).toEqual({ code: 0, stdout: usage, stderr: [] });
    },
  );

  it.each([
    [['bogus'], 'unknown command bogus'],
    [['up', 'extra'], 'unexpected argument extra'],
    [['status', 'x'], 'unexpected argument x'],
    [['down', '0'], 'down takes a positive number of migrations, got 0'],
    [['down', 'two'], 'down takes a positive number of migrations, got two'],
    [['down', '1', '2'], 'unexpected argument 2'],
    [['create'], 'create needs a migration name'],
    [['create', 'a', 'b'], 'unexpected argument b'],
    [['--dir'], '--dir needs a path'],
    [['--verbose'], 'unknown option --verbose'],
  ])('%j is a usage error on stderr, exit 1', async (argv, message) => {
    expect(await cli(argv, {})).toEqual({ code: 1, stdout: [], stderr: [`Error: ${message}`, ...usage] });
  });
});

describe('CLI-MIGRATE-07 create', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'less-sync-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('works offline, prints both paths, refuses an empty slug', async () => {
    await writeFile(join(dir, '012_last.up.sql'), '');
    const env = { LESS_SYNC_DATA_DIR: join(dir, 'data') };
    expect(await cli(['create', 'Add Widgets', '--dir', dir], env)).toEqual({
      code: 0,
      stdout: [join(dir, '013_add_widgets.up.sql'), join(dir, '013_add_widgets.down.sql')],
      stderr: [],
    });
    expect(existsSync(join(dir, 'data'))).toBe(false);
    const bad = await cli(['create', '%%%', `--dir=${dir}`], env);
    expect(bad).toEqual({
      code: 1,
      stdout: [],
      stderr: ['Error: migration name "%%%" has no letters or digits'],
    });
  });

  it('a relative --dir is resolved against the working directory', async () => {
    const run = await cli(['create', 'x', '--dir', 'sub'], {}, dir);
    expect(run.code).toBe(1);
    expect(run.stderr[0]).toMatch(/^Error: cannot read migrations directory .*\/sub: /);
  });
});

describe('CLI-MIGRATE-08 connection errors', () => {
  it.each([
    ['', /^Error: DATABASE_URL is set but empty \(unset it to use the embedded database in .*\)$/],
    ['not a url', /^Error: invalid DATABASE_URL: not a URL$/],
    [
      'mysql://h/db',
      /^Error: invalid DATABASE_URL: scheme must be postgres:\/\/ or postgresql:\/\/, got mysql:\/\/$/,
    ],
    [
      'postgres://u:secret@127.0.0.1:1/db',
      /^Error: cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: .+/,
    ],
  ])('DATABASE_URL=%j', async (url, message) => {
    for (const command of ['up', 'down', 'status', 'version']) {
      const run = await cli([command], { DATABASE_URL: url });
      expect(run.code).toBe(1);
      expect(run.stdout).toEqual([]);
      expect(run.stderr).toHaveLength(1);
      expect(run.stderr[0]).toMatch(message);
      expect(run.stderr[0]).not.toContain('secret');
    }
  });
});

describe('CONFIG-12 DATABASE_URL_FILE in the migrate CLI', () => {
  it('CONFIG-12 the URL is read from the file (trailing newline removed); both forms or a missing file fail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'less-sync-migrate-secret-'));
    try {
      const file = join(dir, 'url');
      await writeFile(file, 'postgres://u:secret@127.0.0.1:1/db\n');
      const fromFile = await cli(['version'], { DATABASE_URL_FILE: file });
      expect(fromFile.code).toBe(1);
      expect(fromFile.stderr[0]).toMatch(
        /^Error: cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: /,
      );
      const both = await cli(['version'], { DATABASE_URL_FILE: file, DATABASE_URL: 'postgres://x/y' });
      expect(both.stderr).toEqual(['Error: set either DATABASE_URL or DATABASE_URL_FILE, not both']);
      const missing = await cli(['version'], { DATABASE_URL_FILE: join(dir, 'nope') });
      expect(missing.stderr[0]).toMatch(/^Error: cannot read DATABASE_URL_FILE ".*nope": ENOENT$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(real)('CLI-MIGRATE-03..06 against PostgreSQL', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let db: SqlExecutor;
  beforeEach(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: schemaUrl(t.connectionString as string, t.schema) };
    db = createPgExecutor({ connectionString: t.connectionString as string, searchPath: t.schema, max: 1 });
  });
  afterEach(async () => {
    await db.close();
    await t.drop();
  });

  it('CLI-MIGRATE-03 up (also with no command) shows each step, then is a no-op', async () => {
    expect(await cli([], env)).toEqual({
      code: 0,
      stdout: [...DESCRIPTIONS.map((d, i) => `applied ${i + 1} ${d}`), 'migrations complete'],
      stderr: [],
    });
    expect(await cli(['up'], env)).toEqual({ code: 0, stdout: ['migrations complete'], stderr: [] });
  });

  it('CLI-MIGRATE-04 down [N] reverts the latest, and says when there is nothing left', async () => {
    await cli(['up'], env);
    expect((await cli(['down'], env)).stdout).toEqual(['reverted 14 federation quota']);
    expect((await cli(['down', '2'], env)).stdout).toEqual([
      'reverted 13 cluster state',
      'reverted 12 federation key lifecycle',
    ]);
    expect((await cli(['down', '20'], env)).stdout).toHaveLength(11);
    expect(await cli(['down'], env)).toEqual({ code: 0, stdout: ['no migrations to revert'], stderr: [] });
  });

  it('CLI-MIGRATE-05 CLI-MIGRATE-06 status and version, read-only', async () => {
    expect(await cli(['version'], env)).toEqual({ code: 0, stdout: ['0'], stderr: [] });
    const fresh = await cli(['status'], env);
    expect(fresh.stdout).toEqual([
      'version\tdescription\tstate',
      ...DESCRIPTIONS.map((d, i) => `${i + 1}\t${d}\tpending`),
    ]);
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()`,
    );
    expect(rows[0]?.n).toBe(0); // status did not create the ledger
    await cli(['up'], env);
    await cli(['down'], env);
    const status = await cli(['status'], env);
    expect(status.stdout[1]).toMatch(/^1\tinitial\tapplied \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(status.stdout.at(-1)).toBe('14\tfederation quota\tpending');
    expect(await cli(['version'], env)).toEqual({ code: 0, stdout: ['13'], stderr: [] });
    await db.exec(`INSERT INTO ${LEDGER_TABLE} (version, description, success, checksum, execution_time)
      VALUES (14, 'federation quota', false, '\\x00', -1)`);
    expect((await cli(['version'], env)).stdout).toEqual(['14 (dirty)']);
    expect((await cli(['status'], env)).stdout.at(-1)).toBe('14\tfederation quota\tdirty');
    const up = await cli(['up'], env);
    expect(up).toEqual({
      code: 1,
      stdout: [],
      stderr: [
        'Error: migration 14 is partially applied; fix and remove row from less_sync_migrations table',
      ],
    });
  });

  it('CLI-MIGRATE-03 a ledger that disagrees with the files', async () => {
    await cli(['up'], env);
    await db.exec(`UPDATE ${LEDGER_TABLE} SET checksum = '\\x00' WHERE version = 2`);
    for (const command of ['up', 'down']) {
      expect(await cli([command], env)).toEqual({
        code: 1,
        stdout: [],
        stderr: ['Error: migration 2 was previously applied but has been modified'],
      });
    }
    expect((await cli(['status'], env)).stdout[2]).toBe('2\trevocations\tmodified');
  });

  it('CLI-MIGRATE-03 a failed migration: which one, the PostgreSQL message, earlier ones kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'less-sync-cli-'));
    try {
      await writeFile(join(dir, '001_first.up.sql'), 'CREATE TABLE first (a int);\n');
      await writeFile(
        join(dir, '002_second.up.sql'),
        'CREATE TABLE second (a int);\nCREATE TABLE first (a int);\n',
      );
      const run = await cli(['up', '--dir', dir], env);
      expect(run).toEqual({
        code: 1,
        stdout: ['applied 1 first'],
        stderr: [
          'Error: migration 2 (second) failed to apply: relation "first" already exists; rolled back, nothing of it was applied',
        ],
      });
      expect((await cli(['version', '--dir', dir], env)).stdout).toEqual(['1']);
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'second'`,
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('CLI-MIGRATE-08 an unknown database is a connection error', async () => {
    const url = new URL(env.DATABASE_URL as string);
    url.pathname = '/no_such_database_here';
    const run = await cli(['status'], { DATABASE_URL: url.href });
    expect(run.code).toBe(1);
    expect(run.stderr[0]).toMatch(
      /^Error: cannot connect to PostgreSQL at .*: database "no_such_database_here" does not exist$/,
    );
  });

  it('R26 adopts a database the reference migrated', async () => {
    await cli(['up'], env);
    await cli(['down', '2'], env); // the reference never had 013 and 014
    await db.exec(`DROP TABLE ${LEDGER_TABLE};
      CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
        installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL,
        execution_time bigint NOT NULL)`);
    for (const m of REFERENCE_MIGRATIONS) {
      await db.query(
        `INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, $2, true, decode($3, 'hex'), 1)`,
        [m.version, m.description, m.checksum],
      );
    }
    const status: CliRun = await cli(['status'], env);
    expect(status.stdout[1]).toMatch(
      /^1\tinitial\tapplied .* \(in _sqlx_migrations; adopted by the next up or down\)$/,
    );
    expect((await cli(['version'], env)).stdout).toEqual(['12']);
    const up = await cli(['up'], env);
    expect(up.stdout).toEqual([
      ...DESCRIPTIONS.slice(0, 12).map(
        (d, i) => `adopted ${i + 1} ${d} (already applied by the reference server)`,
      ),
      'applied 13 cluster state',
      'applied 14 federation quota',
      'migrations complete',
    ]);
    expect((await cli(['up'], env)).stdout).toEqual(['migrations complete']);
  });
});

describe('R23 the embedded database when DATABASE_URL is unset', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'less-sync-embedded-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('lives in LESS_SYNC_DATA_DIR (default ./data); read-only commands do not create it', async () => {
    expect(await cli(['version'], {}, root)).toEqual({ code: 0, stdout: ['0'], stderr: [] });
    expect((await cli(['status'], {}, root)).stdout[1]).toBe('1\tinitial\tpending');
    expect(existsSync(join(root, 'data'))).toBe(false);

    const up = await cli(['up'], {}, root);
    expect(up.code).toBe(0);
    expect(up.stdout[0]).toBe(`using the embedded database ${join(root, 'data', 'pglite')}`);
    expect(up.stdout.slice(1)).toEqual([
      ...DESCRIPTIONS.map((d, i) => `applied ${i + 1} ${d}`),
      'migrations complete',
    ]);
    expect(await cli(['version'], {}, root)).toEqual({ code: 0, stdout: ['14'], stderr: [] });

    const other = join(root, 'elsewhere');
    expect((await cli(['version'], { LESS_SYNC_DATA_DIR: other }, root)).stdout).toEqual(['0']);
    expect((await cli(['up'], { LESS_SYNC_DATA_DIR: 'elsewhere' }, root)).code).toBe(0);
    expect(existsSync(join(other, 'pglite', 'PG_VERSION'))).toBe(true);
  }, 120_000); // several embedded instances start one after another

  it('an embedded database in use by another process is a clear error', async () => {
    const lock = await lockDataDir(join(root, 'data', 'pglite'));
    try {
      const run = await cli(['up'], {}, root);
      expect(run).toEqual({
        code: 1,
        stdout: [],
        stderr: [
          `Error: embedded database ${join(root, 'data', 'pglite')} is in use by process ${process.pid} (lock ${lock.path})`,
        ],
      });
    } finally {
      await lock.release();
    }
  });
});
