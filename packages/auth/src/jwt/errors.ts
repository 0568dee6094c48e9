import { AuthPackageError } from '../errors/base.js';

/** The four outcomes a token validator reports (JWT-09/10); the API maps them to close reasons. */
export type AuthErrorKind = 'MissingToken' | 'InvalidToken' | 'ExpiredToken' | 'UntrustedIssuer';

const MESSAGES: Record<AuthErrorKind, string> = {
  MissingToken: 'missing authorization token',
  InvalidToken: 'invalid token',
  ExpiredToken: 'token has expired',
  UntrustedIssuer: 'untrusted token issuer',
};

/**
 * What any `TokenValidator` rejects with. `reason` says which check failed (e.g. "signature",
 * "audience", "nbf", "jwks") for logs; it never goes on the wire.
 */
export class AuthError extends AuthPackageError<AuthErrorKind> {
  readonly area = 'jwt' as const;
  override readonly name: string = 'AuthError';

  constructor(kind: AuthErrorKind, reason?: string, options?: { cause?: unknown }) {
    super(kind, MESSAGES[kind], {
      ...(reason === undefined ? {} : { detail: reason }),
      cause: options?.cause,
    });
  }

  get reason(): string | undefined {
    return this.detail;
  }
}

/** Thrown by `JwtValidator`; an AuthError with the same kinds. */
export class JwtValidationError extends AuthError {
  override readonly name: string = 'JwtValidationError';
}
