import {
  CborDecodeError,
  encodeChunk,
  encodeChunks,
  encodeErrorResponse,
  encodeMethodNotFound,
  encodeResponse,
  type FrameBody,
  Payload,
  ProtocolDecodeError,
  RpcError,
  type RpcErrorCode,
  RpcErrorCode as RpcErrorCodes,
  type WireValue,
} from '@less-sync/core';
import type { RealtimeLogger } from '../logger.js';
import type { HandlerContext, HandlerTable, RequestContext } from './handlers.js';
import { ConnectionClosedError } from './outbound.js';
import type { ConnectionIdentity, RealtimeConnection } from './types.js';

/** What the dispatcher needs from a live connection. */
export interface DispatchTarget<I extends ConnectionIdentity> {
  readonly connection: RealtimeConnection<I>;
  readonly identity: I;
  readonly handlers: HandlerTable<I>;
  readonly logger: RealtimeLogger;
  /** Enqueue a reply frame, waiting for room (WS-OUTBOUND-1). */
  reply(frame: Uint8Array): Promise<void>;
  /** Enqueue a reply frame if there is room now; false when it would have to wait. */
  tryReply(frame: Uint8Array): boolean;
  /** Enqueue the frame that ends a request (its response or error), waiting for room; sent without delay. */
  respond(frame: Uint8Array): Promise<void>;
}

/** A request run without a read loop to let go of (tests, direct calls): it always holds it. */
const holdsLoop = (): boolean => false;

/** Message of the `internal` error sent when a handler fails unexpectedly. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

async function send(target: DispatchTarget<ConnectionIdentity>, frame: Uint8Array): Promise<void> {
  try {
    await target.respond(frame);
  } catch (err) {
    if (!(err instanceof ConnectionClosedError)) throw err;
  }
}

function baseContext<I extends ConnectionIdentity>(
  target: DispatchTarget<I>,
  method: string,
): HandlerContext<I> {
  const connection = target.connection;
  return {
    connection,
    connectionId: connection.id,
    // Read through the target so a token.refresh earlier on this connection is visible.
    get identity() {
      return target.identity;
    },
    // A getter: the connection makes its AbortController only for a handler that asks for it.
    get signal() {
      return connection.signal;
    },
    method,
  };
}

/**
 * Run one request (WS-FRAME-3, WS-FRAME-4): unknown method → method_not_found; params the method's decoder
 * refuses → invalid_params; RpcError → that error; anything else → internal, logged, connection kept.
 */
export async function dispatchRequest<I extends ConnectionIdentity>(
  target: DispatchTarget<I>,
  id: string,
  method: string,
  rawParams: WireValue | undefined,
  paramsError?: CborDecodeError,
  release: () => boolean = holdsLoop,
): Promise<void> {
  const route = target.handlers.requests.get(method);
  if (route === undefined) return send(target, encodeMethodNotFound(id, method));
  const invalidParams = route.invalidParamsMessage ?? `invalid ${method} params`;

  let params: unknown;
  try {
    if (paramsError !== undefined) throw paramsError;
    params = route.decode(rawParams);
  } catch (err) {
    return send(target, decodeErrorReply(id, invalidParams, err));
  }

  let chunks = 0;
  const connection = target.connection;
  const ctx: RequestContext<I> = {
    connection,
    connectionId: connection.id,
    get identity() {
      return target.identity;
    },
    get signal() {
      return connection.signal;
    },
    method,
    id,
    async chunk(name: string, data: FrameBody): Promise<void> {
      await target.reply(encodeChunk(id, name, data));
      chunks++;
    },
    async chunks(batch: Iterable<readonly [string, FrameBody]>): Promise<void> {
      for (const frame of encodeChunks(id, batch)) {
        if (!target.tryReply(frame)) await target.reply(frame);
        chunks++;
      }
    },
    get chunkCount() {
      return chunks;
    },
    release,
  };

  let frame: Uint8Array;
  try {
    let result = await route.handle(params, ctx);
    if (route.chunked && !(result instanceof Payload)) result = { ...result, _chunks: chunks };
    frame = encodeResponse(id, result);
  } catch (err) {
    const reply = errorReply(target, id, method, invalidParams, err);
    return reply === undefined ? undefined : send(target, reply);
  }
  return send(target, frame);
}

/**
 * Params that cannot be decoded: text no storage can hold (NUL, invalid UTF-8) is `bad_request`; anything
 * else is `invalid_params` with the method's message (WS-FRAME-4).
 */
function decodeErrorReply(id: string, invalidParams: string, err: unknown): Uint8Array {
  if (err instanceof ProtocolDecodeError && err.reason === 'invalid_text') {
    return encodeErrorResponse(id, RpcErrorCodes.BadRequest, 'text must not contain NUL characters');
  }
  if (err instanceof CborDecodeError && err.reason === 'invalid_utf8') {
    return encodeErrorResponse(id, RpcErrorCodes.BadRequest, 'text must be valid UTF-8');
  }
  return encodeErrorResponse(id, RpcErrorCodes.InvalidParams, invalidParams);
}

function errorReply(
  target: DispatchTarget<ConnectionIdentity>,
  id: string,
  method: string,
  invalidParams: string,
  err: unknown,
): Uint8Array | undefined {
  // The connection went away mid-handler: nobody to answer.
  if (err instanceof ConnectionClosedError || target.connection.signal.aborted) return undefined;
  if (err instanceof RpcError) return encodeErrorResponse(id, err.code as RpcErrorCode, err.detail);
  if (err instanceof ProtocolDecodeError) return decodeErrorReply(id, invalidParams, err);
  target.logger.error({ err, method, connectionId: target.connection.id }, 'rpc handler failed');
  return encodeErrorResponse(id, RpcErrorCodes.Internal, INTERNAL_ERROR_MESSAGE);
}

/** Run one client notification (WS-FRAME-5): unknown names, bad params and failures are all silent. */
export async function dispatchNotification<I extends ConnectionIdentity>(
  target: DispatchTarget<I>,
  method: string,
  rawParams: WireValue | undefined,
): Promise<void> {
  const route = target.handlers.notifications.get(method);
  if (route === undefined) return;
  let params: unknown;
  try {
    params = route.decode(rawParams);
  } catch {
    return;
  }
  try {
    await route.handle(params, baseContext(target, method));
  } catch (err) {
    if (err instanceof ConnectionClosedError || target.connection.signal.aborted) return;
    target.logger.warn({ err, method, connectionId: target.connection.id }, 'notification handler failed');
  }
}
