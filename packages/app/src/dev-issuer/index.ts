export {
  DEV_DEFAULT_TTL_SECONDS,
  DEV_ISSUER,
  DEV_JWKS_URL,
  DEV_SCOPE,
  DevIssuer,
  type DevJwk,
  type DevToken,
  type DevTokenRequest,
} from './issuer.js';
export { DEV_JWKS_PATH, DEV_TOKEN_PATH, devIssuerRoutes, isLoopbackAddress } from './routes.js';
