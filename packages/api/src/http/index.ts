export { REQUEST_ID_HEADER, requestIdFrom, type UserPseudonym } from './access-log.js';
export { createHttpApp, FEDERATION_WS_PATH, FILE_ROUTE, type HttpApp, type HttpAppDeps } from './app.js';
export { MAX_UCAN_HEADER_BYTES, PUBLIC_PATHS } from './auth.js';
export { JWKS_CACHE_CONTROL } from './federation.js';
export type { FileRoutesDeps } from './files/deps.js';
export { fileTooLargeMessage, WRAPPED_DEK_BYTES } from './files/headers.js';
export { KeyedLock } from './files/keyed-lock.js';
export { silentHttpLogger } from './logging.js';
export { COMMON_HEADERS, emptyResponse, jsonError, jsonResponse, withCommonHeaders } from './responses.js';
export type {
  ExtraRoute,
  FederationHttpInfo,
  FederationJwk,
  FederationJwksSource,
  FederationPeerStatus,
  HealthCheck,
  HttpLogger,
  HttpMetrics,
  OutboundPeerHealth,
  RequestInfo,
  RouteHandler,
} from './types.js';
