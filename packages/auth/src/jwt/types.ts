/** What a validated JWT says about its bearer (JWT-08), plus the expiry the API enforces (R8). */
export interface TokenInfo {
  /** The token's `iss` exactly as written (not normalised). */
  readonly issuer: string;
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly jti: string;
  readonly personalSpaceId: string;
  readonly did: string;
  readonly mailboxId: string;
  /** `exp` in Unix seconds, when the token has one. */
  readonly expiresAt: number | undefined;
}

/** The identity a connection or request runs as (JWT-09). */
export interface AuthContext {
  readonly issuer: string;
  readonly userId: string;
  readonly clientId: string;
  readonly personalSpaceId: string;
  readonly did: string;
  readonly mailboxId: string;
  readonly scope: string;
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
