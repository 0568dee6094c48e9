import type { AuthContext, TokenValidator } from '@less-sync/auth';

/** Minimal structured logger (pino-compatible argument order); the app passes its pino logger. */
export interface HttpLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): HttpLogger;
}

/** What `/health` pings (HTTP-09): a trivial database round trip. */
export interface HealthCheck {
  ping(): Promise<void>;
  /** The cross-instance transport's state, when the service runs as several instances. */
  broker?(): { readonly kind: string; readonly state: string; readonly detail?: string | undefined };
  /** Outbound federation links (origin side), when a forwarder exists. */
  outboundPeers?(): readonly OutboundPeerHealth[];
}

/** One outbound peer link as `/health` shows it (`federation_outbound.peers[]`). */
export interface OutboundPeerHealth {
  readonly domain: string;
  /** `idle`, `connecting`, `connected`, `backoff` or `closed`. */
  readonly state: string;
  readonly pendingCalls: number;
  readonly subscriptions: number;
  readonly lastError?: string | undefined;
}

/** One peer's usage, as HTTP-12 reports it (keys in this order on the wire). */
export interface FederationPeerStatus {
  readonly domain: string;
  readonly connections: number;
  readonly spaces: number;
  readonly records_this_hour: number;
  readonly bytes_this_hour: number;
  readonly invitations_this_hour: number;
}

/**
 * What the HTTP surface reads from the federation component when it is enabled (an inbound
 * authenticator exists). Absent: `/api/v1/federation/{trusted,status}` answer 404 and `/health` has no
 * federation block (HTTP-09/11/12).
 */
export interface FederationHttpInfo {
  /** Canonical, sorted, de-duplicated trusted domains. */
  trustedDomains(): readonly string[];
  /** Usage of a (canonical) domain, hourly counters rolled over; unknown domains start at zero. */
  peerStatus(domain: string): FederationPeerStatus | Promise<FederationPeerStatus>;
  /** Sum of live federation connections over every peer. */
  totalConnections(): number | Promise<number>;
}

/** One entry of `/.well-known/jwks.json` (FED-HTTP-01). */
export interface FederationJwk {
  readonly kid: string;
  readonly kty: 'OKP';
  readonly alg: 'EdDSA';
  readonly use: 'federation';
  readonly crv: 'Ed25519';
  readonly x: string;
}

/** The current federation JWKS entries; rejects when they cannot be read (the route answers 503). */
export type FederationJwksSource = () => Promise<readonly FederationJwk[]>;

/** Per-request facts a handler may need beyond the fetch `Request`. */
export interface RequestInfo {
  /** Peer address of the TCP connection, when served by Node. */
  readonly remoteAddress: string | undefined;
  readonly requestId: string;
  readonly logger: HttpLogger;
}

export type RouteHandler = (request: Request, info: RequestInfo) => Response | Promise<Response>;

/**
 * A route the composition root adds (metrics, the development issuer). `public` routes skip the
 * bearer layer; the others get the same auth as the built-in routes.
 */
export interface ExtraRoute {
  readonly path: string;
  readonly methods: Partial<Record<'GET' | 'POST' | 'PUT', RouteHandler>>;
  readonly public: boolean;
}

/** Hook for HTTP metrics; `route` is the route pattern, never the raw path. */
export interface HttpMetrics {
  observeHttp(route: string, method: string, status: number, seconds: number): void;
}

/** Variables the middleware attaches to each request. */
export interface HttpVariables {
  auth: AuthContext;
  requestId: string;
  logger: HttpLogger;
  route: string;
}

export type { AuthContext, TokenValidator };
