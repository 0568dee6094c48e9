/** Claims that pass unchanged from the JWT payload to TokenInfo and AuthContext (`""` when absent). */
export interface BearerClaims {
  readonly clientId: string;
  readonly scope: string;
  readonly personalSpaceId: string;
  readonly did: string;
  readonly mailboxId: string;
}

/** What a validated JWT says about its bearer (JWT-08), plus the expiry the API enforces (R8). */
export interface TokenInfo extends BearerClaims {
  /** The token's `iss` exactly as written (not normalised). */
  readonly issuer: string;
  readonly userId: string;
  readonly jti: string;
  /** `exp` in Unix seconds, when the token has one. */
  readonly expiresAt: number | undefined;
}

/** The identity a connection or request runs as (JWT-09). */
export interface AuthContext extends BearerClaims {
  readonly issuer: string;
  readonly userId: string;
  /** `exp` in Unix seconds, when known. */
  readonly expiresAt: number | undefined;
}

/** Anything that turns a bearer token into an AuthContext, rejecting with an `AuthError`. */
export interface TokenValidator {
  validateToken(token: string): Promise<AuthContext>;
}

export interface TrustedIssuer {
  /** Issuer as it appears in `iss`; trailing slashes are ignored when matching. */
  readonly issuer: string;
  readonly jwksUrl: string;
}
