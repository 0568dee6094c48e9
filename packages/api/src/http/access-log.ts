import type { AuthContext } from '@less-sync/auth';

/** Header carrying the request id in and out (echoed on every response). */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** An incoming id is kept only when it is short visible ASCII: it lands in logs and response headers. */
const ACCEPTABLE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The caller's `X-Request-Id` when acceptable, else a fresh one. */
export function requestIdFrom(header: string | undefined, fresh: () => string): string {
  return header !== undefined && ACCEPTABLE_REQUEST_ID.test(header) ? header : fresh();
}

/**
 * Turns an authenticated identity into a stable, non-reversible label for logs, so access logs can be
 * correlated per user without recording who the user is.
 */
export type UserPseudonym = (auth: Pick<AuthContext, 'issuer' | 'userId'>) => string;

/** Route patterns as Hono writes them (`:name` is one segment) → exact matchers for the 404-first check. */
export function routeMatcher(patterns: readonly string[]): (path: string) => boolean {
  const regexes = patterns.map((pattern) => {
    const body = pattern
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return new RegExp(`^${body}$`);
  });
  return (path) => regexes.some((regex) => regex.test(path));
}
