import { resolve } from 'node:path';
import {
  createMigration,
  defaultMigrationsDir,
  loadMigrations,
  type MigrationStatus,
  type MigrationStep,
  migrate,
  migrationStatus,
  schemaVersion,
} from '@less-sync/storage';
import { type Command, parseArgs, USAGE, UsageError } from './args.js';
import { type Env, type OpenedDatabase, openDatabase } from './database.js';

export interface CliIo {
  /** One line of informational output (no trailing newline). */
  stdout(line: string): void;
  /** One line of error output. */
  stderr(line: string): void;
  /** Directory relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
}

function stepLine(step: MigrationStep): string {
  switch (step.action) {
    case 'adopt':
      return `adopted ${step.version} ${step.description} (already applied by the reference server)`;
    case 'apply':
      return `applied ${step.version} ${step.description}`;
    case 'revert':
      return `reverted ${step.version} ${step.description}`;
  }
}

function statusLine(row: MigrationStatus): string {
  let state: string = row.state;
  if (row.state === 'applied') state = `applied ${row.installedOn ?? ''}`.trimEnd();
  if (row.fromReference) state += ' (in _sqlx_migrations; adopted by the next up or down)';
  return `${row.version}\t${row.description}\t${state}`;
}

async function withDatabase(
  env: Env,
  cwd: string,
  readOnly: boolean,
  io: CliIo,
  fn: (opened: OpenedDatabase) => Promise<void>,
): Promise<void> {
  const opened = await openDatabase(env, cwd, readOnly);
  try {
    if (opened.embedded && !readOnly) io.stdout(`using the ${opened.where}`);
    await fn(opened);
  } finally {
    await opened.db.close();
  }
}

async function execute(command: Command, dir: string, env: Env, cwd: string, io: CliIo): Promise<void> {
  switch (command.kind) {
    case 'help':
      io.stdout(USAGE);
      return;
    case 'create': {
      const created = await createMigration(dir, command.name);
      io.stdout(created.up);
      io.stdout(created.down);
      return;
    }
    case 'up':
    case 'down': {
      const migrations = await loadMigrations(dir); // file problems surface before connecting
      await withDatabase(env, cwd, false, io, async ({ db }) => {
        const onStep = (step: MigrationStep) => io.stdout(stepLine(step));
        if (command.kind === 'up') {
          await migrate(db, { migrations, onStep });
          io.stdout('migrations complete');
        } else {
          const result = await migrate(db, { migrations, direction: 'down', steps: command.steps, onStep });
          if (!result.steps.some((s) => s.action === 'revert')) io.stdout('no migrations to revert');
        }
      });
      return;
    }
    case 'status': {
      const migrations = await loadMigrations(dir);
      await withDatabase(env, cwd, true, io, async ({ db }) => {
        const rows = await migrationStatus(db, { migrations });
        io.stdout('version\tdescription\tstate');
        for (const row of rows) io.stdout(statusLine(row));
      });
      return;
    }
    case 'version': {
      const migrations = await loadMigrations(dir);
      await withDatabase(env, cwd, true, io, async ({ db }) => {
        const v = await schemaVersion(db, { migrations });
        io.stdout(v.dirty ? `${v.version} (dirty)` : String(v.version));
      });
      return;
    }
  }
}

/**
 * The whole CLI as a function: parses `argv` (without node and script), runs the command, and
 * returns the exit code. Errors become one `Error: <message>` line on stderr and exit code 1.
 */
export async function runCli(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`Error: ${error.message}`);
    io.stderr(USAGE);
    return 1;
  }
  const dir = parsed.dir === undefined ? defaultMigrationsDir() : resolve(cwd, parsed.dir);
  try {
    await execute(parsed.command, dir, env, cwd, io);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`Error: ${message.split('\n')[0]}`);
    return 1;
  }
}
