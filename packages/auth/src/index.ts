/** Public surface of @less-sync/auth. */

export { TtlLru } from './cache/lru.js';
export {
  compressPublicKey,
  DidKeyError,
  type DidKeyErrorKind,
  decodeDidKey,
  encodeDidKey,
  type P256PublicKey,
} from './didkey/didkey.js';
export {
  Base64Error,
  decodeBase64Padded,
  decodeBase64Url,
  encodeBase64Padded,
  encodeBase64Url,
} from './encoding/base64.js';
export { constantTimeEqual } from './encoding/bytes.js';
export type { Audience } from './encoding/claims.js';
export type { Clock } from './encoding/clock.js';
export { AuthConfigError, type AuthErrorArea, AuthPackageError } from './errors/base.js';
export {
  AUTH_ERROR_KINDS,
  type AuthErrorCategory,
  type AuthErrorDescription,
  CATEGORY_HTTP_STATUS,
  describeAuthError,
} from './errors/kinds.js';
export { canonicalizeDomain } from './fst/domain.js';
export {
  createFst,
  deriveFstKey,
  type FederationSubscribeClaims,
  FederationTokenError,
  type FederationTokenErrorKind,
  FST_MAX_EXPIRY_SECONDS,
  FST_TOKEN_LEN,
  FST_VERSION,
  type FstOptions,
  verifyFst,
  verifyFstDualKey,
} from './fst/fst.js';
export { FstKeyring } from './fst/keyring.js';
export type { HeaderSource, HttpRequestLike } from './httpsig/components.js';
export { HttpSignatureError, type HttpSignatureErrorKind } from './httpsig/errors.js';
export { extractDomainFromKeyId, extractKidFromKeyId } from './httpsig/keyid.js';
export { ed25519PublicKeyBytes } from './httpsig/keys.js';
export { isEd25519Point } from './httpsig/point.js';
export { REQUIRED_COMPONENTS, type SignatureHeaders, signHttpRequest } from './httpsig/sign.js';
export {
  DEFAULT_SIGNATURE_MAX_AGE_SECONDS,
  FEDERATION_TARGET_URI_SCHEMES,
  type HttpSignatureKeyLookup,
  type HttpSignatureParams,
  type VerifyHttpSignatureOptions,
  verifyHttpSignature,
} from './httpsig/verify.js';
export {
  DEFAULT_JWKS_FETCH_TIMEOUT_MS,
  DEFAULT_JWKS_REFETCH_COOLDOWN_MS,
  DEFAULT_JWKS_REFRESH_TTL_MS,
  JwksClient,
  type JwksClientOptions,
  MAX_JWKS_SIZE,
} from './jwks/client.js';
export { JwksError, type JwksErrorKind } from './jwks/errors.js';
export type { FetchLike } from './jwks/fetch.js';
export { parseJwk, type VerificationKey } from './jwks/parse-jwk.js';
export { JWT_ALGORITHMS, type JwtAlgorithm } from './jws/verify.js';
export { type JwtClaims, normalizeIssuer } from './jwt/claims.js';
export { AuthError, type AuthErrorKind, JwtValidationError } from './jwt/errors.js';
export type { AuthContext, TokenInfo, TokenValidator, TrustedIssuer } from './jwt/types.js';
export { DEFAULT_LEEWAY_SECONDS, JwtValidator, type JwtValidatorConfig } from './jwt/validator.js';
export { generateEd25519Seed, generateP256KeyPair, type P256KeyPair } from './keys/generate.js';
export {
  attenuates,
  PERMISSIONS,
  type Permission,
  PermissionError,
  type PermissionErrorKind,
  parsePermission,
  permissionCommand,
  permissionFromByte,
  permissionToByte,
} from './permission/permission.js';
export {
  SESSION_TOKEN_LENGTH,
  SESSION_VERSION,
  type SessionClaims,
  SessionError,
  type SessionErrorKind,
  SessionManager,
  type SessionManagerOptions,
} from './session/session.js';
export {
  MAX_CHAIN_DEPTH,
  MAX_TOKENS_PER_CHAIN,
  type RevocationCheck,
  type ValidateChainParams,
  type ValidatedChain,
  validateChain,
} from './ucan/chain.js';
export { UcanError, type UcanErrorKind } from './ucan/errors.js';
export {
  computeUcanCid,
  type IssuerKeyResolver,
  type ParsedUcan,
  parseUcan,
  type UcanClaims,
} from './ucan/parse.js';
export { UcanValidator, type UcanValidatorOptions } from './ucan/validator.js';
