/** Command line of the migrate CLI (CLI-MIGRATE-08). */
export type Command =
  | { kind: 'help' }
  | { kind: 'up' }
  | { kind: 'down'; steps: number }
  | { kind: 'status' }
  | { kind: 'version' }
  | { kind: 'create'; name: string };

export interface ParsedArgs {
  command: Command;
  /** `--dir <path>`: the migrations directory. */
  dir: string | undefined;
}

export const USAGE = `usage: less-sync-migrate [command] [--dir <path>]

commands:
  up              apply all pending migrations (the default)
  down [N]        revert the latest N applied migrations (default 1)
  status          list every migration and its state
  version         print the current schema version
  create <name>   add NNN_<name>.up.sql and NNN_<name>.down.sql to the migrations directory
  help            show this text

options:
  --dir <path>    migrations directory (default: the project's migrations/)

environment:
  DATABASE_URL        postgres://user:pass@host:port/db (sslmode and options=-c search_path=... honoured);
                      unset: the embedded database in LESS_SYNC_DATA_DIR
  LESS_SYNC_DATA_DIR  data directory of the embedded database (default ./data)`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { command: { kind: 'help' }, dir };
    if (arg === '--dir' || arg.startsWith('--dir=')) {
      const value = arg === '--dir' ? argv[++i] : arg.slice('--dir='.length);
      if (value === undefined || value === '') throw new UsageError('--dir needs a path');
      dir = value;
    } else if (arg.startsWith('-') && !/^-?\d+$/.test(arg)) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [name = 'up', ...rest] = positional;
  const noMore = () => {
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  };
  switch (name) {
    case 'help':
      noMore();
      return { command: { kind: 'help' }, dir };
    case 'up':
    case 'status':
    case 'version':
      noMore();
      return { command: { kind: name }, dir };
    case 'down': {
      const [count, ...extra] = rest;
      if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
      if (count === undefined) return { command: { kind: 'down', steps: 1 }, dir };
      if (!/^\d+$/.test(count) || Number(count) < 1) {
        throw new UsageError(`down takes a positive number of migrations, got ${count}`);
      }
      return { command: { kind: 'down', steps: Number(count) }, dir };
    }
    case 'create': {
      const [migrationName, ...extra] = rest;
      if (migrationName === undefined) throw new UsageError('create needs a migration name');
      if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
      return { command: { kind: 'create', name: migrationName }, dir };
    }
    default:
      throw new UsageError(`unknown command ${name}`);
  }
}
