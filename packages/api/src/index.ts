/** Public surface of @less-sync/api. */

// Helper A: deps, authorization, sessions, rate limits, the client WebSocket route and the sync methods.
export {
  type AuthorizedSpace,
  authzErrorCode,
  authzRpcError,
  isSpaceAuthzError,
  peerTarget,
  peerWsUrl,
  SpaceAuthorizer,
  SpaceAuthzError,
  type SpaceAuthzErrorCode,
} from './authz/index.js';
export { createChangeResolver, MAX_CATCH_UP_ENTRIES } from './cluster/index.js';
export {
  type ApiClock,
  type ApiConfig,
  type ApiDeps,
  type ApiLogger,
  type ApiMetrics,
  type ClusterSignals,
  DEFAULT_MAX_SUBSCRIBE_SPACES,
  type FederationForwarder,
  type FederationInbox,
  type ForwardContext,
  type KeyedRunner,
  type PeerTarget,
  type RateLimit,
  type RateLimitsConfig,
  type RemoteChunk,
  type RemoteSubscribeOutcome,
  silentApiLogger,
  type UcanChainValidator,
} from './deps.js';
// Federation, home-server side: signed peer sockets, the federation methods, per-peer quotas.
export * from './federation/inbound/index.js';
// Federation, origin side: the outbound peer manager and cross-server realtime delivery.
export * from './federation/outbound/index.js';
// Helper C: the HTTP surface (routes, middleware, files, health).
export * from './http/index.js';
// Notifications: sync, file, revoked (helper A); membership, presence, presence.leave, event and the delayed
// invitation notifier (helper B). B's method groups are composed by the registry.
export {
  DEFAULT_INVITATION_NOTIFIER_CONFIG,
  eventNotice,
  type FileNotice,
  type FileNoticeEntry,
  InvitationNotifier,
  type InvitationNotifierConfig,
  type InvitationNotifierOptions,
  type InvitationScheduleOutcome,
  type MembershipNoticeEntry,
  membershipNotice,
  presenceLeaveNotice,
  presenceNotice,
  publishFile,
  publishRevoked,
  publishSync,
  type SyncNotice,
} from './notify/index.js';
export {
  RateLimitExceededError,
  type RateLimitedAction,
  RateLimiter,
  type RateLimitPermit,
  RateLimitUnavailableError,
} from './ratelimit/index.js';
export { BackgroundTasks } from './rpc/background.js';
// Helper B: the invitation checks the federation `fed.invitation` handler shares.
export { MAX_INVITATION_PAYLOAD_BYTES, validateInvitationInput } from './rpc/invitation/validate.js';
export type { MethodGroup, MethodGroupFactory } from './rpc/method.js';
export { buildClientHandlers, CLIENT_METHOD_GROUPS } from './rpc/registry.js';
export { type ApiServices, closeApiServices, createApiServices } from './rpc/services.js';
export {
  DEFAULT_PULL_LIMITS,
  PULL_LIMIT_MESSAGE,
  type PullLimitsConfig,
  PullSlots,
} from './rpc/sync/pull-slots.js';
export { type ClientIdentity, identityFromAuth, SessionRegistry, type SpaceGrant } from './session/index.js';
export {
  CLIENT_WS_PATH,
  type ClientEndpointOptions,
  createClientEndpoint,
  jwtAuthenticator,
} from './ws/index.js';
