import { isStorageError } from '@less-sync/storage';
import { type Command, parseArgs, USAGE, UsageError } from './args.js';
import { DatabaseError, type Env, openKeyStorage, reasonOf } from './database.js';
import {
  describeStorageRefusal,
  generateKey,
  list,
  promoteExisting,
  retire,
  storeAndDescribe,
} from './keygen.js';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  cwd?: string;
}

/** Exit codes (CLI-KEYGEN-05): 0 done or help, 1 database or key-state error, 2 bad command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The CLI as a function: parses `argv`, runs it, returns the exit code. Output goes to stdout only
 * once the database has the change; every error is one `Error: <message>` line on stderr.
 */
export async function runCli(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  try {
    const { command, databaseUrl } = parseArgs(argv);
    if (command.kind === 'help') {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    // Generate first: a bad domain is a usage error and needs no database.
    const key = command.kind === 'generate' ? generateKey(command) : undefined;
    const opened = await openKeyStorage(databaseUrl, env, io.cwd ?? process.cwd());
    try {
      const lines = await execute(command, key, opened.storage).catch((error: unknown) => {
        const refusal = describeStorageRefusal(error, key?.keyId ?? keyIdOf(command));
        if (refusal !== undefined) throw new RefusedError(refusal);
        const cause = isStorageError(error, 'Database') ? (error.cause ?? error) : error;
        throw new DatabaseError(`database error: ${reasonOf(cause)} (${opened.where})${hintFor(cause)}`);
      });
      for (const line of lines) io.stdout(line);
    } finally {
      await opened.close().catch(() => undefined);
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`Error: ${error.message}`);
      io.stderr('Run with --help for usage.');
      return EXIT.usage;
    }
    io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}

class RefusedError extends Error {}

async function execute(
  command: Command,
  key: ReturnType<typeof generateKey> | undefined,
  storage: Parameters<typeof list>[0],
): Promise<string[]> {
  switch (command.kind) {
    case 'generate':
      if (key === undefined) throw new Error('no key generated');
      return storeAndDescribe(storage, key, command);
    case 'promote-existing':
      return promoteExisting(storage, command.keyId);
    case 'retire':
      return retire(storage, command.keyId);
    default:
      return list(storage);
  }
}

function keyIdOf(command: Command): string {
  return 'keyId' in command ? command.keyId : '';
}

function hintFor(error: unknown): string {
  return /relation "federation_signing_keys" does not exist/.test(reasonOf(error))
    ? '; the schema is not migrated: run "migrate up" (or start the server once) first'
    : '';
}
