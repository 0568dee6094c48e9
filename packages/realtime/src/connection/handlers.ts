import type { FrameBody, WireValue } from '@less-sync/core';
import type { ConnectionIdentity, RealtimeConnection } from './types.js';

type Awaitable<T> = T | Promise<T>;

/** What every handler sees about the connection it runs on. */
export interface HandlerContext<I extends ConnectionIdentity> {
  readonly connection: RealtimeConnection<I>;
  readonly connectionId: string;
  /** The identity at call time (token.refresh may replace it between calls). */
  readonly identity: I;
  /** Aborted when the connection closes; long handlers should stop early. */
  readonly signal: AbortSignal;
  readonly method: string;
}

export interface RequestContext<I extends ConnectionIdentity> extends HandlerContext<I> {
  /** The request id, echoed in the response and every chunk (`""` when the client sent none). */
  readonly id: string;
  /**
   * Send one chunk frame `{type:3, id, name, data}`. Waits for room in the outbound queue
   * (backpressure); rejects with ConnectionClosedError once the connection closes.
   */
  chunk(name: string, data: FrameBody): Promise<void>;
  /**
   * Send a batch of chunk frames in order, as {@link chunk} would one by one, but waiting only when the
   * outbound queue is full: a page of a streamed result costs one promise, not one per frame.
   */
  chunks(batch: Iterable<readonly [name: string, data: FrameBody]>): Promise<void>;
  /** Chunks sent so far for this request. */
  readonly chunkCount: number;
  /**
   * Let the connection's read loop go on to the next frame while this handler waits on something slow
   * and remote; the handler still replies (and streams chunks) under its own id when it is done, so
   * replies may then come back out of request order. Call it right after starting the slow call, so
   * work the call depends on is already ordered. True when released (or already released); false when
   * the connection's released-handler bound (ConnectionConfig.maxReleasedRequests) is reached, in which
   * case the request keeps the loop as usual.
   */
  release(): boolean;
}

/** The declaration of one request method, with its typed params decoder. */
export interface RequestMethod<I extends ConnectionIdentity, P> {
  /**
   * Turn the raw `params` (undefined when the key is missing) into typed params. Any throw becomes an
   * `invalid_params` error response carrying {@link invalidParamsMessage} (WS-FRAME-4).
   */
  decode(params: WireValue | undefined): P;
  /** Message of the invalid_params error; default `invalid <method> params`. */
  invalidParamsMessage?: string;
  /**
   * Streamed method: a plain-map result gets `_chunks` (the number of chunks sent) appended as its last
   * key, the convention the SDK's `callChunked` checks (RPC-PULL-1, R4). A typed `Payload` result is sent
   * as built, so its codec must carry `_chunks` itself (from {@link RequestContext.chunkCount}).
   */
  chunked?: boolean;
  /** Produce the `result`. Throw core's RpcError for an error response; anything else is `internal`. */
  handle(params: P, ctx: RequestContext<I>): Awaitable<FrameBody>;
}

export interface NotificationMethod<I extends ConnectionIdentity, P> {
  /** A throw drops the notification silently (WS-FRAME-5). */
  decode(params: WireValue | undefined): P;
  handle(params: P, ctx: HandlerContext<I>): Awaitable<void>;
}

/** A request method with its params type erased, as stored in a {@link HandlerTable}. */
export interface RequestRoute<I extends ConnectionIdentity> {
  readonly invalidParamsMessage: string | undefined;
  readonly chunked: boolean;
  decode(params: WireValue | undefined): unknown;
  handle(params: unknown, ctx: RequestContext<I>): Awaitable<FrameBody>;
}

export interface NotificationRoute<I extends ConnectionIdentity> {
  decode(params: WireValue | undefined): unknown;
  handle(params: unknown, ctx: HandlerContext<I>): Awaitable<void>;
}

/** Erase a request method's params type; `decode` feeds `handle`, so the erasure is sound. */
export function requestRoute<I extends ConnectionIdentity, P>(method: RequestMethod<I, P>): RequestRoute<I> {
  return {
    invalidParamsMessage: method.invalidParamsMessage,
    chunked: method.chunked ?? false,
    decode: (params) => method.decode(params),
    handle: (params, ctx) => method.handle(params as P, ctx),
  };
}

export function notificationRoute<I extends ConnectionIdentity, P>(
  method: NotificationMethod<I, P>,
): NotificationRoute<I> {
  return {
    decode: (params) => method.decode(params),
    handle: (params, ctx) => method.handle(params as P, ctx),
  };
}

/** The methods one endpoint answers. Names are exact and case-sensitive; anything else is unknown. */
export interface HandlerTable<I extends ConnectionIdentity> {
  readonly requests: ReadonlyMap<string, RequestRoute<I>>;
  readonly notifications: ReadonlyMap<string, NotificationRoute<I>>;
}

/** Build a table from plain records (Maps, so names like `constructor` are never inherited). */
export function createHandlerTable<I extends ConnectionIdentity>(routes: {
  requests?: Readonly<Record<string, RequestRoute<I>>>;
  notifications?: Readonly<Record<string, NotificationRoute<I>>>;
}): HandlerTable<I> {
  return {
    requests: new Map(Object.entries(routes.requests ?? {})),
    notifications: new Map(Object.entries(routes.notifications ?? {})),
  };
}
