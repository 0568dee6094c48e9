import type { DidKeyErrorKind } from '../didkey/didkey.js';
import type { FederationTokenErrorKind } from '../fst/fst.js';
import type { HttpSignatureErrorKind } from '../httpsig/errors.js';
import type { JwksErrorKind } from '../jwks/errors.js';
import type { AuthErrorKind } from '../jwt/errors.js';
import type { PermissionErrorKind } from '../permission/permission.js';
import type { SessionErrorKind } from '../session/session.js';
import type { UcanErrorKind } from '../ucan/errors.js';
import { type AuthErrorArea, AuthPackageError } from './base.js';

/**
 * What an error kind means for the caller, independent of transport:
 * - `missing`: no credential was presented;
 * - `invalid`: the credential is malformed, badly signed or from someone we do not trust;
 * - `expired`: it was valid but its time is over (the client should refresh or re-issue);
 * - `forbidden`: it is genuine but does not grant this request (wrong space, level, audience, revoked);
 * - `unavailable`: we could not decide right now (a dependency failed); retrying may help;
 * - `internal`: our own configuration or a programming error, never the client's fault.
 */
export type AuthErrorCategory = 'missing' | 'invalid' | 'expired' | 'forbidden' | 'unavailable' | 'internal';

/** The HTTP status each category suggests. The RPC layer may map differently for wire parity. */
export const CATEGORY_HTTP_STATUS: Readonly<Record<AuthErrorCategory, number>> = {
  missing: 401,
  invalid: 401,
  expired: 401,
  forbidden: 403,
  unavailable: 503,
  internal: 500,
};

interface KindTable {
  config: Record<'InvalidConfig', AuthErrorCategory>;
  jwt: Record<AuthErrorKind, AuthErrorCategory>;
  jwks: Record<JwksErrorKind, AuthErrorCategory>;
  didkey: Record<DidKeyErrorKind, AuthErrorCategory>;
  permission: Record<PermissionErrorKind, AuthErrorCategory>;
  ucan: Record<UcanErrorKind, AuthErrorCategory>;
  session: Record<SessionErrorKind, AuthErrorCategory>;
  httpsig: Record<HttpSignatureErrorKind, AuthErrorCategory>;
  fst: Record<FederationTokenErrorKind, AuthErrorCategory>;
}

/**
 * Every kind of every area with its category. Note the reference's wire mappings: the WebSocket
 * handshake sends every JWT kind as close 4000 with its own reason, and both the RPC and the file
 * endpoints answer every UCAN failure with forbidden/403; this table is the finer meaning behind.
 */
export const AUTH_ERROR_KINDS: Readonly<KindTable> = {
  config: { InvalidConfig: 'internal' },
  jwt: {
    MissingToken: 'missing',
    InvalidToken: 'invalid',
    ExpiredToken: 'expired',
    UntrustedIssuer: 'invalid',
  },
  jwks: {
    Fetch: 'unavailable',
    Status: 'unavailable',
    PayloadTooLarge: 'unavailable',
    Decode: 'unavailable',
    KeyNotFound: 'invalid',
    UnsupportedKeyType: 'invalid',
    UnsupportedCurve: 'invalid',
    UnsupportedAlgorithm: 'invalid',
    UnsupportedUse: 'invalid',
    MissingKid: 'invalid',
    InvalidXCoordinate: 'invalid',
    InvalidYCoordinate: 'invalid',
    CoordinateTooLarge: 'invalid',
    CoordinateTooShort: 'invalid',
    PointNotOnCurve: 'invalid',
    InvalidKey: 'invalid',
    WeakKey: 'invalid',
  },
  didkey: {
    MissingPrefix: 'invalid',
    InputTooLong: 'invalid',
    Base58Decode: 'invalid',
    InvalidVarint: 'invalid',
    WrongMulticodec: 'invalid',
    WrongPointLength: 'invalid',
    InvalidPoint: 'invalid',
    InvalidPublicKey: 'invalid',
  },
  permission: { UnknownCommand: 'invalid', UnknownValue: 'invalid' },
  ucan: {
    InvalidUcan: 'invalid',
    UcanExpired: 'expired',
    ChainTooDeep: 'invalid',
    AttenuationViolation: 'forbidden',
    ResourceMismatch: 'forbidden',
    RootMismatch: 'forbidden',
    IdentityMismatch: 'forbidden',
    UcanRevoked: 'forbidden',
    RevocationCheckFailed: 'unavailable',
  },
  session: {
    InvalidSession: 'invalid',
    SessionExpired: 'expired',
    InvalidKeyLength: 'internal',
    ExpiryBeforeUnixEpoch: 'internal',
    ExpiryOutOfRange: 'internal',
    InvalidPermission: 'invalid',
  },
  httpsig: {
    MissingSignatureInput: 'missing',
    MissingSignature: 'missing',
    InvalidSignatureInput: 'invalid',
    UnsupportedAlgorithm: 'invalid',
    SignatureExpired: 'expired',
    MissingRequiredComponent: 'invalid',
    InvalidSignatureHeader: 'invalid',
    KeyLookupFailed: 'invalid',
    VerificationFailed: 'invalid',
    InvalidKeyId: 'invalid',
  },
  fst: {
    InvalidToken: 'invalid',
    ExpiredToken: 'expired',
    ExpiryBeforeUnixEpoch: 'internal',
    InvalidHmacKey: 'internal',
  },
};

export interface AuthErrorDescription {
  readonly area: AuthErrorArea | 'unknown';
  readonly kind: string;
  readonly category: AuthErrorCategory;
  readonly httpStatus: number;
}

/** Classifies any error from this package; anything else is `internal`. */
export function describeAuthError(error: unknown): AuthErrorDescription {
  if (error instanceof AuthPackageError) {
    const table: Readonly<Record<string, AuthErrorCategory>> = AUTH_ERROR_KINDS[error.area];
    const category = table[error.kind] ?? 'internal';
    return { area: error.area, kind: error.kind, category, httpStatus: CATEGORY_HTTP_STATUS[category] };
  }
  return { area: 'unknown', kind: 'Unknown', category: 'internal', httpStatus: 500 };
}
