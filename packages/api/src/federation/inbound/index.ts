/** The inbound (home-server) side of federation: signed peer sockets, federation methods, quotas. */
export {
  authenticatePeer,
  type PeerAuthOptions,
  type PeerAuthResult,
  type SignatureFailureReason,
} from './authenticate.js';
export {
  authorizeFederation,
  type FederationAuthzCode,
  FederationAuthzError,
  type FederationAuthzPolicy,
  type FederationGrant,
} from './authorize.js';
export type { FederationContext, FederationInboundOptions, FederationMetrics, FstKeys } from './context.js';
export { createFederationEndpoint, FederationEndpoint, TOO_MANY_FEDERATION_CONNECTIONS } from './endpoint.js';
export { DEFAULT_FST_GRANT_CAPACITY, FstGrantMemory } from './fst-grants.js';
export { peerHost, type RebroadcastGate, RemoteSubscriptionLedger } from './gate.js';
export { FEDERATION_USER_PREFIX, type FederationIdentity, federationIdentity } from './identity.js';
export {
  type FederationQuota,
  type FederationQuotaKind,
  type FederationQuotaLimits,
  InMemoryFederationQuota,
} from './quota.js';
export { buildFederationTrust, type FederationTrust, type TrustedPeerKey } from './trust.js';
