import { quote } from './env.js';
import { ConfigError } from './errors.js';
import type { Env, TrustedIssuer } from './types.js';

/**
 * CONFIG-04 entries: whitespace-separated `issuer` or `issuer=jwks_url` (split at the first `=`), both
 * http(s) URLs. The issuer loses its trailing slashes; the default JWKS URL is
 * `<issuer>/.well-known/jwks.json`; a repeated issuer keeps its first position and its last JWKS URL.
 * Unset or blank gives an empty list: whether that is fatal is decided with the development issuer rule.
 */
export function parseTrustedIssuers(env: Env): TrustedIssuer[] {
  const byIssuer = new Map<string, string>();
  for (const entry of (env.TRUSTED_ISSUERS ?? '').split(/\s+/)) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const issuerRaw = eq < 0 ? entry : entry.slice(0, eq);
    const jwksRaw = eq < 0 ? undefined : entry.slice(eq + 1);

    validateHttpUrl(issuerRaw, 'issuer');
    const issuer = issuerRaw.replace(/\/+$/, '');
    if (jwksRaw !== undefined) validateHttpUrl(jwksRaw, 'jwks_url');
    byIssuer.set(issuer, jwksRaw ?? `${issuer}/.well-known/jwks.json`);
  }
  return [...byIssuer].map(([issuer, jwksUrl]) => ({ issuer, jwksUrl }));
}

/** CONFIG-05: comma-separated, trimmed, empty entries dropped; empty list = no audience check. */
export function parseAudiences(env: Env): string[] {
  return (env.AUDIENCES ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** `invalid <label> URL "<raw>": <reason>` unless `raw` is an absolute http(s) URL (CONFIG-04 wording). */
function validateHttpUrl(raw: string, label: string): void {
  const url = parseUrl(raw);
  if (typeof url === 'string') {
    throw new ConfigError('TRUSTED_ISSUERS', `invalid ${label} URL ${quote(raw)}: ${url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('TRUSTED_ISSUERS', `invalid ${label} URL ${quote(raw)}: must use http or https`);
  }
}

/** The URL, or the reason it does not parse (the reference's reason for a missing scheme). */
export function parseUrl(raw: string): URL | string {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw)) return 'relative URL without a base';
  try {
    return new URL(raw);
  } catch {
    return 'invalid URL';
  }
}
