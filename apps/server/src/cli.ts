import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES } from '@less-sync/app';

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What the command line asks for: run the server, or print something and exit with `code`. */
export type CliOutcome = { readonly run: true } | { readonly run: false; readonly code: number };

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}

function usage(): string {
  const names = CONFIG_VARIABLES.flatMap((v) => v.names).filter((n) => n !== '');
  return [
    'usage: less-sync [--help | --version]',
    '',
    'Runs the less-sync server. All configuration comes from environment variables, read once at start;',
    'every invalid one is reported before anything is opened. Secrets also accept <NAME>_FILE.',
    '',
    'environment:',
    ...wrap(names.join(' '), 100).map((line) => `  ${line}`),
    '',
    'probes: /livez /readyz /startupz /health   metrics: /metrics',
    'migrations: less-sync-migrate (pnpm migrate; in the container image: `migrate <command>`)',
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `--help`/`-h` and `--version`/`-V` print and exit 0; any other argument is a usage error (exit 2). */
export function parseServerArgs(argv: readonly string[], out: CliOutput): CliOutcome {
  const [first, ...rest] = argv;
  if (first === undefined) return { run: true };
  if (rest.length === 0 && (first === '--help' || first === '-h' || first === 'help')) {
    out.stdout(usage());
    return { run: false, code: 0 };
  }
  if (rest.length === 0 && (first === '--version' || first === '-V' || first === 'version')) {
    out.stdout(`less-sync ${version()}\n`);
    return { run: false, code: 0 };
  }
  out.stderr(`Error: unexpected argument ${JSON.stringify(first)}\n\n${usage()}`);
  return { run: false, code: 2 };
}
