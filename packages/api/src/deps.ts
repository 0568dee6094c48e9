/**
 * What the API needs from the outside world, injected by the app (no globals, no env reads here).
 * Everything is an interface or a value the app already builds: storage stores, validators, the realtime
 * broker and presence registry, the blob store, a clock, a logger and optional metrics/federation hooks.
 */

import type { TokenValidator, ValidateChainParams, ValidatedChain } from '@less-sync/auth';
import type { PullParams, PushParams, PushRpcResultInit, WireValue, WsSubscribeSpace } from '@less-sync/core';
import type { Broker, ConnectionConfig, PresenceRegistry } from '@less-sync/realtime';
import type { BlobStore, Storage } from '@less-sync/storage';
import type { InvitationNotifierConfig } from './notify/invitation.js';
import type { PullLimitsConfig } from './rpc/sync/pull-slots.js';

/** Structured logger (pino argument order). `debug`/`info` are optional so a minimal logger fits. */
export interface ApiLogger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentApiLogger: ApiLogger = Object.freeze({ warn: () => {}, error: () => {} });

/** Optional counters/histograms; every hook may be absent. */
export interface ApiMetrics {
  /**
   * One finished RPC request: its method, wall time, whether it produced an error frame, and that
   * frame's code (`invalid_params`, `forbidden`, …; `internal` for unexpected failures).
   */
  rpcRequest?(method: string, durationMs: number, outcome: 'ok' | 'error', code?: string): void;
  /**
   * Runs one RPC request's handling inside a scope (the app's tracing span), so work it starts (database
   * calls) is attributed to it. Must call `run` exactly once and settle as it does.
   */
  rpcScope?<T>(method: string, run: () => Promise<T>): Promise<T>;
  /** Records accepted by one successful local push. */
  pushRecords?(count: number): void;
  /** Records sent by one pull (summed over its spaces). */
  pullRecords?(count: number): void;
  /** One notification published to a space, with how many local connections received it. */
  notification?(method: string, delivered: number): void;
}

export interface ApiClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** At most `max` actions per actor in any `windowSeconds` window; `max` 0 turns the limit off (R12). */
export interface RateLimit {
  readonly max: number;
  readonly windowSeconds: number;
}

/** R12, per action; the app's configuration re-exports this type and passes its value straight through. */
export interface RateLimitsConfig {
  readonly membershipAppend: RateLimit;
  readonly invitationCreate: RateLimit;
  readonly spaceCreate: RateLimit;
}

/** Where a remote space lives: its canonical peer domain and the federation WebSocket URL (FED-PEER-02). */
export interface PeerTarget {
  readonly domain: string;
  readonly url: string;
}

/** One chunk relayed from a home server's pull, re-sent unchanged to the client (RPC-PULL-3). */
export interface RemoteChunk {
  readonly name: string;
  readonly data: WireValue;
}

/** A home server's per-space refusals of a forwarded subscribe (R29). */
export interface RemoteSubscribeOutcome {
  readonly errors: readonly { readonly space: string; readonly error: string }[];
}

/** Who a forwarded call is for: the local connection (so its own push is not echoed back, R28). */
export interface ForwardContext {
  readonly connectionId?: string;
}

/**
 * Where an origin's outbound links deliver what home servers send (R17): notifications for spaces local
 * clients subscribed to through that peer, and subscriptions the home no longer honours.
 */
export interface FederationInbox {
  /** A server→peer notification; `excludeConnectionId` is the local pusher of the change it carries. */
  notification(
    peerDomain: string,
    method: string,
    params: WireValue | undefined,
    excludeConnectionId?: string,
  ): Promise<void>;
  /** The home refused to restore or renew `space` (`code` is its per-space error). */
  subscriptionLost(peerDomain: string, space: string, code: string): Promise<void>;
}

/**
 * Outbound federation (the peer manager in federation/outbound, or a test stub; optional). Each call
 * rejects when the peer cannot be reached in time or answers with an error frame (a
 * `FederationCallError` says which, R29); the API maps that to the method's outcome.
 */
export interface FederationForwarder {
  /** Per-space refusals come back in `errors`; a transport failure rejects. */
  subscribe(
    peer: PeerTarget,
    spaces: readonly WsSubscribeSpace[],
  ): Promise<RemoteSubscribeOutcome | undefined>;
  /** No local client needs these spaces from `peer` any more (forwarded as `unsubscribe`). */
  unsubscribe?(peer: PeerTarget, spaces: readonly string[]): void;
  /** The home server's push result, relayed to the client unchanged. */
  forwardPush(peer: PeerTarget, params: PushParams, context?: ForwardContext): Promise<PushRpcResultInit>;
  pull(peer: PeerTarget, spaces: PullParams['spaces']): Promise<readonly RemoteChunk[]>;
  restoreSubscriptions(peer: PeerTarget): Promise<void>;
  forwardInvitation(peer: PeerTarget, params: { mailboxId: string; payload: string }): Promise<void>;
  /** The API hands over its inbox once, when its services are built. */
  attach?(inbox: FederationInbox): void;
}

/** The UCAN chain check the authorizer runs (auth's `UcanValidator` fits). */
export interface UcanChainValidator {
  validateChain(params: ValidateChainParams): Promise<ValidatedChain>;
}

export interface ApiConfig {
  /** R12: per-action limits. */
  readonly rateLimits: RateLimitsConfig;
  /** 32-byte HMAC key of the rate-limit actor hash (random per start when not configured, R12). */
  readonly identityHashKey: Uint8Array;
  /**
   * This server's own federation domains (canonical). A space whose `home_server` names one of them is
   * local; any other `home_server` is remote and is forwarded, or refused without a forwarder.
   */
  readonly localDomains?: readonly string[];
  /** Canonical trusted federation peers (invitation.create with `server`). */
  readonly trustedDomains?: readonly string[];
  /** RPC-SUB-1: most spaces in one subscribe (default 1000). */
  readonly maxSubscribeSpaces?: number;
  /** Delay and bound of the `invitation` notification (RPC-INV-6); tests shorten it. */
  readonly invitationNotify?: Partial<InvitationNotifierConfig>;
  /** Client WebSocket limits and timers (defaults: the reference's). */
  readonly connection?: Partial<ConnectionConfig>;
  /** Concurrent pulls per connection and per user. */
  readonly pull?: Partial<PullLimitsConfig>;
}

/**
 * Signals other instances of the same service must act on (many instances, one database). Absent with a
 * single process. Which transport carries them is the app's business.
 */
export interface ClusterSignals {
  /** R8 across instances: end, everywhere, the live subscriptions resting on `cid`. */
  publishRevocation(space: string, cid: string, reason: string): Promise<void>;
}

/** Runs work one at a time per key (the HTTP upload path's per-blob lock). */
export interface KeyedRunner {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Everything the API is built from. */
export interface ApiDeps {
  readonly storage: Storage;
  readonly tokenValidator: TokenValidator;
  readonly ucanValidator: UcanChainValidator;
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  /** Absent when file storage is off (then tombstone pushes only drop metadata). */
  readonly blobs?: BlobStore | undefined;
  /**
   * The lock uploads take per blob key. Post-push blob deletion (R19) runs under it and re-checks the
   * file's metadata, so a file re-uploaded meanwhile keeps its blob.
   */
  readonly uploadLock?: KeyedRunner | undefined;
  readonly federation?: FederationForwarder | undefined;
  readonly cluster?: ClusterSignals | undefined;
  readonly clock?: ApiClock;
  readonly logger?: ApiLogger;
  readonly metrics?: ApiMetrics;
  readonly config: ApiConfig;
}

export const DEFAULT_MAX_SUBSCRIBE_SPACES = 1000;
