import { type AuthContext, AuthError, type AuthErrorKind, type TokenValidator } from '@less-sync/auth';
import { isVisibleAscii, jsonError } from './responses.js';

/** HTTP-07: bytes of `X-UCAN` allowed, checked only after the bearer token validated. */
export const MAX_UCAN_HEADER_BYTES = 64 * 1024;

/** HTTP-05: exact paths (no prefix match, no trailing slash) that skip the bearer layer. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  '/health',
  '/api/v1/ws',
  '/.well-known/jwks.json',
  '/api/v1/federation/ws',
]);

const BEARER_PREFIX = 'Bearer ';

const KIND_MESSAGES: Readonly<Record<AuthErrorKind, string>> = {
  MissingToken: 'missing authorization token',
  ExpiredToken: 'token has expired',
  UntrustedIssuer: 'untrusted token issuer',
  InvalidToken: 'invalid token',
};

export type BearerOutcome =
  | { readonly ok: true; readonly auth: AuthContext }
  | { readonly ok: false; readonly response: Response; readonly reason?: string };

function failure(status: number, message: string, reason?: string): BearerOutcome {
  return { ok: false, response: jsonError(status, message), ...(reason === undefined ? {} : { reason }) };
}

/**
 * HTTP-06 and HTTP-07 for one request, in the reference's order: validator configured, header present,
 * readable, `Bearer ` prefix (case-sensitive, one space; the rest is the token, untrimmed), token valid,
 * then the X-UCAN size bound. No `WWW-Authenticate` header is sent.
 */
export async function authenticateBearer(
  validator: TokenValidator | undefined,
  authorization: string | undefined,
  ucan: string | undefined,
): Promise<BearerOutcome> {
  if (validator === undefined) return failure(500, 'auth validator is not configured');
  if (authorization === undefined) return failure(401, 'missing authorization');
  if (!isVisibleAscii(authorization) || !authorization.startsWith(BEARER_PREFIX)) {
    return failure(401, 'invalid authorization header format');
  }
  const token = authorization.slice(BEARER_PREFIX.length);
  let auth: AuthContext;
  try {
    auth = await validator.validateToken(token);
  } catch (error) {
    // Anything a validator throws that is not one of the four kinds is an invalid token too.
    const kind: AuthErrorKind = error instanceof AuthError ? error.kind : 'InvalidToken';
    const reason = error instanceof AuthError ? error.reason : (error as Error)?.message;
    return failure(401, KIND_MESSAGES[kind], reason);
  }
  if (ucan !== undefined && Buffer.byteLength(ucan, 'latin1') > MAX_UCAN_HEADER_BYTES) {
    return failure(401, 'X-UCAN header too large');
  }
  return { ok: true, auth };
}
