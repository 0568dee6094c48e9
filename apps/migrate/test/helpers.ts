import { runCli } from '../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** Runs the CLI in-process and collects its output lines. */
export async function cli(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, env, {
    stdout: (line) => stdout.push(...line.split('\n')),
    stderr: (line) => stderr.push(...line.split('\n')),
    ...(cwd ? { cwd } : {}),
  });
  return { code, stdout, stderr };
}

/** The test server URL with every connection in `schema` (the reference's test convention). */
export function schemaUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.href;
}

export const DESCRIPTIONS = [
  'initial',
  'revocations',
  'invitations',
  'add wrapped dek',
  'files record id',
  'privacy phase1',
  'mailbox invitations',
  'ephemeral rate limits',
  'rewrap epoch',
  'unified cursor',
  'federation keys',
  'federation key lifecycle',
  'cluster state',
  'federation quota',
];
