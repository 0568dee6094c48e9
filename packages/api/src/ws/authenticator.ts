import { AuthError, type AuthErrorKind, type TokenValidator } from '@less-sync/auth';
import { type Authenticator, AuthRejectedError, type AuthRejectionKind } from '@less-sync/realtime';
import { type ClientIdentity, hasScope, identityFromAuth } from '../session/identity.js';

const REJECTIONS: Record<AuthErrorKind, AuthRejectionKind> = {
  MissingToken: 'missing_token',
  InvalidToken: 'invalid_token',
  ExpiredToken: 'expired_token',
  UntrustedIssuer: 'untrusted_issuer',
};

/**
 * WS-AUTH-1/3, WSPROTO-07: the auth frame's JWT through the token validator, then the `sync` scope check.
 * Each validator failure closes 4000 with the reference's reason; anything else is "invalid auth token".
 */
export function jwtAuthenticator(validator: TokenValidator): Authenticator<ClientIdentity> {
  return async (token) => {
    let auth: Awaited<ReturnType<TokenValidator['validateToken']>>;
    try {
      auth = await validator.validateToken(token);
    } catch (err) {
      if (err instanceof AuthError) throw new AuthRejectedError(REJECTIONS[err.kind]);
      throw err;
    }
    if (!hasScope(auth.scope, 'sync')) throw new AuthRejectedError('scope');
    return identityFromAuth(auth);
  };
}
