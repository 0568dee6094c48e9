/** Public surface of @less-sync/realtime: broker, presence registry and the WebSocket connection core. */

export { BrokerError, type BrokerErrorCode, isBrokerError } from './broker/errors.js';
export { type BrokerConfig, DEFAULT_BROKER_CONFIG, InMemoryBroker } from './broker/memory-broker.js';
export { publishToMailbox, publishToSpace } from './broker/publish.js';
export { spaceKey } from './broker/space-key.js';
export type { Broker, Subscriber, SubscriberId } from './broker/types.js';
export { type Clock, scheduleAt, systemClock, type TimerHandle } from './clock.js';
export {
  ClusterBroker,
  type ClusterBrokerOptions,
  type RevocationHandler,
} from './cluster/cluster-broker.js';
export { type ClusterMessage, decodeMessage, encodeMessage } from './cluster/messages.js';
export type { ChangeResolver, ClusterLogger, ConnectionSlots } from './cluster/types.js';
export { AuthRejectedError, type AuthRejectionKind, Close, type CloseDirective } from './connection/close.js';
export {
  type ConnectionConfig,
  DEFAULT_CONNECTION_CONFIG,
  jitteredLifetime,
  resolveConnectionConfig,
} from './connection/config.js';
export { INTERNAL_ERROR_MESSAGE } from './connection/dispatch.js';
export {
  RealtimeEndpoint,
  type RealtimeEndpointOptions,
  type ShutdownOptions,
  type UpgradeOptions,
} from './connection/endpoint.js';
export { type ClientFrame, type ParseResult, parseAuthFrame, parseClientFrame } from './connection/frames.js';
export {
  createHandlerTable,
  type HandlerContext,
  type HandlerTable,
  type NotificationMethod,
  type NotificationRoute,
  notificationRoute,
  type RequestContext,
  type RequestMethod,
  type RequestRoute,
  requestRoute,
} from './connection/handlers.js';
export { ConnectionClosedError, type FrameSink, OutboundQueue } from './connection/outbound.js';
export {
  offeredSubprotocol,
  SUBPROTOCOL_REJECTION_BODY,
  selectSubprotocol,
} from './connection/subprotocol.js';
export type {
  Authenticator,
  ConnectionHooks,
  ConnectionIdentity,
  ConnectionState,
  RealtimeConnection,
} from './connection/types.js';
export { type RealtimeLogger, silentLogger } from './logger.js';
export { derivePseudonym, newPseudonymSecret, PSEUDONYM_SECRET_BYTES } from './presence/pseudonym.js';
export {
  DEFAULT_PRESENCE_CONFIG,
  type PresenceConfig,
  type PresenceLeave,
  type PresencePeer,
  PresenceRegistry,
  type PresenceRegistryOptions,
  type PresenceSetOutcome,
} from './presence/registry.js';
export { sweepPresence } from './presence/sweep.js';
export { MemoryBus, MemoryTransport } from './transports/memory/memory-transport.js';
export { NatsTransport, type NatsTransportOptions } from './transports/nats/nats-transport.js';
export {
  PostgresTransport,
  type PostgresTransportOptions,
} from './transports/postgres/postgres-transport.js';
export { RedisTransport, type RedisTransportOptions } from './transports/redis/redis-transport.js';
export type {
  ClusterTransport,
  TransportHandlers,
  TransportHealth,
  TransportKind,
  TransportState,
} from './transports/types.js';
