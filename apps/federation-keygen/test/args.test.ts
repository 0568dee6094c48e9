import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/args.js';
import { runCli } from '../src/cli.js';
import { defaultFragment, generateKey } from '../src/keygen.js';

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

async function run(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {}, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

describe('federation-keygen arguments (CLI-KEYGEN-01, FED-KEY-04, R27)', () => {
  it('CLI-KEYGEN-01 parse_args_requires_domain', () => {
    expect(usageError([])).toBe('--domain is required');
    expect(usageError(['--kid', 'x'])).toBe('--domain is required');
  });

  it('CLI-KEYGEN-01 parse_args_parses_values (domain kept raw; no promotion by default, R27)', () => {
    expect(
      parseArgs([
        '--domain',
        'Sync.Example.com',
        '--kid',
        'fed-a',
        '--database-url',
        'postgres://x',
        '--print-private',
      ]),
    ).toEqual({
      command: {
        kind: 'generate',
        domain: 'Sync.Example.com',
        fragment: 'fed-a',
        printPrivate: true,
        promote: false,
      },
      databaseUrl: 'postgres://x',
    });
  });

  it('CLI-KEYGEN-01 R27 parse_args_supports_no_promote; --promote asks for it; the last one wins', () => {
    const promote = (argv: string[]) => {
      const { command } = parseArgs(['--domain', 'd', ...argv]);
      return command.kind === 'generate' && command.promote;
    };
    expect(promote(['--no-promote'])).toBe(false);
    expect(promote(['--promote'])).toBe(true);
    expect(promote(['--promote', '--no-promote'])).toBe(false);
    expect(promote(['--no-promote', '--promote'])).toBe(true);
  });

  it('CLI-KEYGEN-01 parse_args_rejects_unknown_flag and value-less flags', () => {
    expect(usageError(['--domain', 'd', '--bogus'])).toBe('unknown argument "--bogus"');
    expect(usageError(['--domain=d'])).toBe('unknown argument "--domain=d"');
    expect(usageError(['positional'])).toBe('unknown argument "positional"');
    for (const flag of ['--domain', '--kid', '--database-url', '--promote-existing', '--retire']) {
      expect(usageError([flag])).toBe(`${flag} requires a value`);
    }
    // A value is taken verbatim even when it looks like a flag.
    expect(parseArgs(['--domain', '--kid']).command).toMatchObject({ domain: '--kid' });
  });

  it('FED-KEY-04 a fragment that would break a FEDERATION_TRUSTED_KEYS entry is refused', () => {
    for (const kid of ['a=b', 'a b', 'a#b', '']) {
      expect(usageError(['--domain', 'd', '--kid', kid])).toContain('--kid must be non-empty');
    }
  });

  it('FED-KEY-03 the maintenance modes exclude each other and key generation', () => {
    expect(parseArgs(['--promote-existing', 'k']).command).toEqual({ kind: 'promote-existing', keyId: 'k' });
    expect(parseArgs(['--retire', 'k']).command).toEqual({ kind: 'retire', keyId: 'k' });
    expect(parseArgs(['--list']).command).toEqual({ kind: 'list' });
    expect(usageError(['--list', '--domain', 'd'])).toContain('cannot be combined');
    expect(usageError(['--retire', 'a', '--promote-existing', 'b'])).toContain('cannot be combined');
  });

  it('CLI-KEYGEN-02 key id from the canonical domain; the default fragment is fed-<seconds>-<nanos>', () => {
    const key = generateKey({
      domain: 'HTTPS://Sync.Example.com:443/x',
      fragment: 'k1',
      printPrivate: false,
      promote: false,
    });
    expect(key.keyId).toBe('https://sync.example.com/.well-known/jwks.json#k1');
    expect(key.privateKey).toHaveLength(32);
    expect(key.publicKey).toHaveLength(32);
    expect(defaultFragment(1_700_000_123_456, 789n)).toBe('fed-1700000123-456000789');
    const generated = generateKey({
      domain: 'd.example',
      fragment: undefined,
      printPrivate: false,
      promote: false,
    });
    expect(generated.keyId).toMatch(/^https:\/\/d\.example\/\.well-known\/jwks\.json#fed-\d+-\d+$/);
    expect(() =>
      generateKey({ domain: 'https:///', fragment: 'a', printPrivate: false, promote: false }),
    ).toThrow('domain must not be empty');
  });

  it('CLI-KEYGEN-05 --help exits 0 on stdout; usage errors exit 2 on stderr with nothing on stdout', async () => {
    const help = await run(['--kid', 'x', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout[0]).toMatch(/^usage: less-sync-federation-keygen --domain <domain>/);
    const bad = await run(['--domain', 'https:///']);
    expect(bad).toEqual({
      code: 2,
      stdout: [],
      stderr: ['Error: domain must not be empty', 'Run with --help for usage.'],
    });
  });
});
