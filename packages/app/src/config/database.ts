import { quote, readTrimmed } from './env.js';
import { ConfigError } from './errors.js';
import type { DatabaseConfig, Env, SslMode } from './types.js';

export const DEFAULT_DATA_DIR = './data';

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** `LESS_SYNC_DATA_DIR`, default `./data` (relative to the working directory, like the reference's paths). */
export function parseDataDir(env: Env): string {
  return readTrimmed(env, 'LESS_SYNC_DATA_DIR') ?? DEFAULT_DATA_DIR;
}

/** `<dir>/<name>`, keeping the directory as written (so `./data` gives `./data/files`, as the reference). */
export function joinDir(dir: string, name: string): string {
  const base = dir.replace(/\/+$/, '');
  return `${base}/${name}`;
}

/**
 * CONFIG-03 with R23: a `postgres://`/`postgresql://` URL, or, when unset or blank, embedded PGlite in
 * `<dataDir>/pglite`. Messages never echo the URL: it usually carries a password.
 */
export function parseDatabase(env: Env, dataDir: string): DatabaseConfig {
  const raw = readTrimmed(env, 'DATABASE_URL');
  if (raw === undefined) return { kind: 'embedded', dir: joinDir(dataDir, 'pglite') };

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      'DATABASE_URL',
      'invalid DATABASE_URL: expected a postgres:// or postgresql:// URL',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      'DATABASE_URL',
      `invalid DATABASE_URL: scheme ${quote(url.protocol.slice(0, -1))} is not postgres or postgresql`,
    );
  }

  const sslParam = url.searchParams.get('sslmode');
  let sslMode: SslMode | undefined;
  if (sslParam !== null) {
    sslMode = SSL_MODES.find((mode) => mode === sslParam);
    if (sslMode === undefined) {
      throw new ConfigError(
        'DATABASE_URL',
        `invalid DATABASE_URL: unsupported sslmode ${quote(sslParam)} (expected ${SSL_MODES.join(', ')})`,
      );
    }
  }

  return {
    kind: 'postgres',
    url: raw,
    sslMode,
    searchPath: searchPathFromOptions(url.searchParams.get('options')),
  };
}

/** `options=-csearch_path=<schema>` (also `-c search_path=` and `--search_path=`), the libpq way to pick a schema. */
function searchPathFromOptions(options: string | null): string | undefined {
  if (options === null) return undefined;
  const match = /(?:^|\s)(?:-c\s*|--)search_path=(\S+)/.exec(options);
  return match?.[1];
}
