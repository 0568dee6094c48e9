import { DatabaseConfigError } from './types.js';

const SCHEMES = new Set(['postgres:', 'postgresql:']);
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates a `DATABASE_URL` without connecting. Returns the parsed URL. */
export function parseDatabaseUrl(raw: string | undefined): URL {
  if (raw === undefined || raw.trim() === '') {
    throw new DatabaseConfigError('missing_url', 'DATABASE_URL is not set');
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new DatabaseConfigError('invalid_url', 'invalid DATABASE_URL: not a URL');
  }
  if (!SCHEMES.has(url.protocol)) {
    throw new DatabaseConfigError(
      'invalid_url',
      `invalid DATABASE_URL: scheme must be postgres:// or postgresql://, got ${url.protocol}//`,
    );
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new DatabaseConfigError('invalid_url', 'invalid DATABASE_URL: no host');
  }
  return url;
}

/** The URL with the password masked, for messages and logs. */
export function redactDatabaseUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema) || schema.length > 63) {
    throw new DatabaseConfigError('invalid_schema', `invalid schema name "${schema}"`);
  }
}

/**
 * Adds `-c search_path=<schema>` to the URL's `options` parameter (keeping any options already
 * there), so every pooled connection starts in that schema.
 */
export function withSearchPath(url: URL, schema: string): URL {
  assertSchemaName(schema);
  const copy = new URL(url.href);
  const existing = copy.searchParams.get('options');
  const option = `-c search_path=${schema}`;
  copy.searchParams.set('options', existing ? `${existing} ${option}` : option);
  return copy;
}
