import { type AuthContext, AuthError, type AuthErrorKind, normalizeIssuer } from '@less-sync/auth';
import { Payload, TokenRefreshParamsCodec, TokenRefreshResultCodec } from '@less-sync/core';
import { hasScope, identityFromAuth } from '../../session/identity.js';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';

/** The handshake's reasons, reused in the refresh result (RPC-TOKEN-1). */
const AUTH_ERROR_MESSAGES: Record<AuthErrorKind, string> = {
  MissingToken: 'missing auth token',
  InvalidToken: 'invalid auth token',
  ExpiredToken: 'expired auth token',
  UntrustedIssuer: 'untrusted auth issuer',
};

/** R9: a refresh may renew the credential, never change who the connection is. */
function sameIdentity(current: AuthContext, next: AuthContext): boolean {
  return (
    normalizeIssuer(current.issuer) === normalizeIssuer(next.issuer) &&
    current.userId === next.userId &&
    current.clientId === next.clientId &&
    current.mailboxId === next.mailboxId &&
    current.did === next.did &&
    current.personalSpaceId === next.personalSpaceId
  );
}

const answer = (ok: boolean, error = ''): Payload => Payload.of(TokenRefreshResultCodec, { ok, error });

/**
 * RPC-TOKEN-1 with R9: every outcome but bad params is a `{ok, error}` result. On success the identity is
 * replaced and the connection's expiry moves to the new token's `exp` (R8); on failure the old identity
 * (and its expiry) stays in force.
 */
export function tokenRefreshMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(TokenRefreshParamsCodec, 'invalid token refresh params', async (params, ctx) => {
    let next: AuthContext;
    try {
      next = await s.deps.tokenValidator.validateToken(params.token);
    } catch (err) {
      if (err instanceof AuthError) return answer(false, AUTH_ERROR_MESSAGES[err.kind]);
      s.logger.warn({ err, connectionId: ctx.connectionId }, 'token validator failed');
      return answer(false, AUTH_ERROR_MESSAGES.InvalidToken);
    }
    if (!hasScope(next.scope, 'sync')) return answer(false, 'sync scope required');
    const current = ctx.identity.auth;
    if (!sameIdentity(current, next)) {
      s.logger.warn(
        { connectionId: ctx.connectionId, issuer: current.issuer, userId: current.userId },
        'token.refresh presented a different identity; refused',
      );
      return answer(false, 'token identity mismatch');
    }
    ctx.connection.replaceIdentity(identityFromAuth(next));
    return answer(true);
  });
}
