/** CLI-KEYGEN-01 argument parsing: left to right, separate-value flags only, a repeated flag's last value wins. */

export const USAGE = [
  'usage: less-sync-federation-keygen --domain <domain> [--kid <key-fragment>] [--database-url <url>] [--print-private] [--promote | --no-promote]',
  '       less-sync-federation-keygen --promote-existing <key-id> [--database-url <url>]',
  '       less-sync-federation-keygen --retire <key-id> [--database-url <url>]',
  '       less-sync-federation-keygen --list [--database-url <url>]',
  '',
  '  --domain <domain>          public domain of this sync server, used in the key id',
  '  --kid <key-fragment>       fragment after # in the key id (default fed-<unix seconds>-<nanoseconds>)',
  '  --database-url <url>       PostgreSQL to store the key in (default DATABASE_URL, else the embedded',
  '                             database in LESS_SYNC_DATA_DIR, default ./data)',
  '  --print-private            print the private seed',
  '  --promote                  make the new key the signing key even if one exists (starts a rotation)',
  '  --no-promote               keep the existing signing key (the default); the first key always signs',
  '  --promote-existing <id>    make a stored key the signing key',
  "  --retire <id>              end a non-signing key's overlap window: unpublish it and stop trusting it",
  '  --list                     print the active keys',
  '  -h, --help                 this text',
].join('\n');

export type Command =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'generate';
      readonly domain: string;
      readonly fragment: string | undefined;
      readonly printPrivate: boolean;
      readonly promote: boolean;
    }
  | { readonly kind: 'promote-existing'; readonly keyId: string }
  | { readonly kind: 'retire'; readonly keyId: string }
  | { readonly kind: 'list' };

export interface ParsedArgs {
  readonly command: Command;
  readonly databaseUrl: string | undefined;
}

/** Bad command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const VALUE_FLAGS = ['--domain', '--kid', '--database-url', '--promote-existing', '--retire'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<ValueFlag, string>();
  let printPrivate = false;
  let promote = false;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { command: { kind: 'help' }, databaseUrl: undefined };
    if ((VALUE_FLAGS as readonly string[]).includes(arg)) {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`${arg} requires a value`);
      values.set(arg as ValueFlag, value);
      i++;
    } else if (arg === '--print-private') printPrivate = true;
    else if (arg === '--promote') promote = true;
    else if (arg === '--no-promote') promote = false;
    else if (arg === '--list') list = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }

  const databaseUrl = values.get('--database-url');
  const promoteExisting = values.get('--promote-existing');
  const retire = values.get('--retire');
  const modes = [values.has('--domain'), promoteExisting !== undefined, retire !== undefined, list];
  if (modes.filter(Boolean).length > 1) {
    throw new UsageError('--domain, --promote-existing, --retire and --list cannot be combined');
  }
  if (promoteExisting !== undefined)
    return { command: { kind: 'promote-existing', keyId: promoteExisting }, databaseUrl };
  if (retire !== undefined) return { command: { kind: 'retire', keyId: retire }, databaseUrl };
  if (list) return { command: { kind: 'list' }, databaseUrl };

  const domain = values.get('--domain');
  if (domain === undefined) throw new UsageError('--domain is required');
  const fragment = values.get('--kid');
  if (fragment !== undefined && !/^[^\s=#]+$/.test(fragment)) {
    // The key id must survive FEDERATION_TRUSTED_KEYS parsing: entries split on whitespace and at the first `=`.
    throw new UsageError('--kid must be non-empty and contain no whitespace, "=" or "#"');
  }
  return { command: { kind: 'generate', domain, fragment, printPrivate, promote }, databaseUrl };
}
