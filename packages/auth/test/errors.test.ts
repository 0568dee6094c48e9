import { describe, expect, it } from 'vitest';
import {
  AUTH_ERROR_KINDS,
  AuthConfigError,
  AuthError,
  CATEGORY_HTTP_STATUS,
  DidKeyError,
  describeAuthError,
  FederationTokenError,
  HttpSignatureError,
  JwksError,
  JwtValidationError,
  PermissionError,
  SessionError,
  UcanError,
} from '../src/index.js';

describe('typed errors and their meaning', () => {
  it('JWT-10 UCAN-15 HTTPSIG-10 FST-07 SESSION-05 every area classifies its kinds', () => {
    const cases: [Error, string, string, number][] = [
      [new JwtValidationError('MissingToken'), 'jwt', 'missing', 401],
      [new JwtValidationError('ExpiredToken'), 'jwt', 'expired', 401],
      [new AuthError('UntrustedIssuer'), 'jwt', 'invalid', 401],
      [new JwksError('Fetch', 'x'), 'jwks', 'unavailable', 503],
      [new DidKeyError('InvalidPoint', 'x'), 'didkey', 'invalid', 401],
      [new PermissionError('UnknownCommand', 'x'), 'permission', 'invalid', 401],
      [new UcanError('UcanRevoked'), 'ucan', 'forbidden', 403],
      [new UcanError('RevocationCheckFailed'), 'ucan', 'unavailable', 503],
      [new UcanError('UcanExpired'), 'ucan', 'expired', 401],
      [new SessionError('InvalidKeyLength', 'x'), 'session', 'internal', 500],
      [new HttpSignatureError('SignatureExpired'), 'httpsig', 'expired', 401],
      [new FederationTokenError('InvalidToken'), 'fst', 'invalid', 401],
      [new AuthConfigError('bad'), 'config', 'internal', 500],
    ];
    for (const [error, area, category, httpStatus] of cases) {
      expect(describeAuthError(error)).toMatchObject({ area, category, httpStatus });
    }
    expect(describeAuthError(new Error('other'))).toEqual({
      area: 'unknown',
      kind: 'Unknown',
      category: 'internal',
      httpStatus: 500,
    });
  });

  it('JWT-10 UCAN-15 FST-07 display strings are the reference’s', () => {
    expect(new JwtValidationError('InvalidToken', 'audience')).toMatchObject({
      message: 'invalid token',
      reason: 'audience',
      kind: 'InvalidToken',
    });
    expect(new JwtValidationError('UntrustedIssuer').message).toBe('untrusted token issuer');
    expect(new UcanError('RootMismatch').message).toBe('UCAN root key mismatch');
    expect(new FederationTokenError('ExpiredToken').message).toBe('federation subscribe token expired');
    expect(new FederationTokenError('ExpiryBeforeUnixEpoch').message).toBe(
      'federation token expiry before unix epoch',
    );
    expect(new AuthConfigError('x').message).toBe('invalid auth configuration: x');
  });

  it('every kind has a category with an HTTP status', () => {
    for (const table of Object.values(AUTH_ERROR_KINDS)) {
      for (const category of Object.values(table as Record<string, keyof typeof CATEGORY_HTTP_STATUS>)) {
        expect(CATEGORY_HTTP_STATUS[category]).toBeGreaterThanOrEqual(401);
      }
    }
  });
});
