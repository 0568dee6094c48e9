export { JWKS_REFRESH_MS, type JwksCacheOptions, jwksCache } from './jwks-cache.js';
export {
  describeFederationKeys,
  type FederationKeys,
  type LoadFederationKeysOptions,
  loadFederationJwks,
  loadFederationKeys,
} from './keys.js';
export { FederationKeyError } from './stored.js';
