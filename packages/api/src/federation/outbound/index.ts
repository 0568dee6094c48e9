/** The outbound (origin-side) federation: the peer manager, its errors, and the origin's subscriber record. */
export {
  FederationCallError,
  type FederationCallErrorKind,
  HOME_TIMEOUT_MESSAGE,
  HOME_UNAVAILABLE_MESSAGE,
  isFederationCallError,
} from './errors.js';
export { fstExpiryMs } from './fst-expiry.js';
export { OriginInbox } from './inbox.js';
export {
  DEFAULT_PEER_MANAGER_CONFIG,
  FederationPeerManager,
  type PeerManagerConfig,
  type PeerManagerOptions,
} from './manager.js';
export type {
  BackoffConfig,
  OutboundSigner,
  PeerLinkState,
  PeerLinkStatus,
  RemoteSpaceError,
} from './peer.js';
export { type Released, type RemoteSubscriber, RemoteSubscribers } from './remote-subscribers.js';
export type { PeerSocketLimits } from './socket.js';
