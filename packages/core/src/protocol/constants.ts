/**
 * Frozen v1 wire constants (PROTO-01, PROTO-02, WSPROTO-01/02, VALID-01, R1).
 * Every value here is part of the wire contract with the SDK and with reference servers: never change one.
 */

/** Frame type discriminators carried in the `type` key of every frame map (PROTO-01). */
export const FrameType = {
  Request: 0,
  Response: 1,
  Notification: 2,
  Chunk: 3,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const RPC_REQUEST = FrameType.Request;
export const RPC_RESPONSE = FrameType.Response;
export const RPC_NOTIFICATION = FrameType.Notification;
export const RPC_CHUNK = FrameType.Chunk;
/** Old name for {@link RPC_CHUNK}; never distinct on the wire. */
export const RPC_STREAM = FrameType.Chunk;

/** RPC error codes placed in `error.code`, and reused inside some results (PROTO-02). */
export const RpcErrorCode = {
  InvalidParams: 'invalid_params',
  BadRequest: 'bad_request',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  RateLimited: 'rate_limited',
  PayloadTooLarge: 'payload_too_large',
  MethodNotFound: 'method_not_found',
  Internal: 'internal',
  KeyGenerationStale: 'key_generation_stale',
} as const;
export type RpcErrorCode = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

export const RPC_ERROR_CODES: readonly RpcErrorCode[] = Object.freeze(Object.values(RpcErrorCode));

export function isRpcErrorCode(value: string): value is RpcErrorCode {
  return (RPC_ERROR_CODES as readonly string[]).includes(value);
}

/** Application WebSocket close codes (WSPROTO-02). Sent as 16-bit close codes. */
export const CloseCode = {
  AuthFailed: 4000,
  TokenExpired: 4001,
  Forbidden: 4002,
  TooManyConnections: 4003,
  PowRequired: 4004,
  ProtocolError: 4005,
  SlowConsumer: 4006,
  RateLimited: 4007,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** WebSocket subprotocol (WSPROTO-01) and the SDK's newer alias, accepted too (R1). */
export const WS_SUBPROTOCOL = 'less-rpc-v1';
export const WS_SUBPROTOCOL_ALIAS = 'betterbase-rpc-v1';
/** Accepted subprotocols in preference order: `less-rpc-v1` wins when both are offered (R1). */
export const WS_SUBPROTOCOLS = [WS_SUBPROTOCOL, WS_SUBPROTOCOL_ALIAS] as const;
export type WsSubprotocol = (typeof WS_SUBPROTOCOLS)[number];

/** Largest blob a record may carry; exactly this size is allowed (VALID-01). */
export const DEFAULT_MAX_BLOB_SIZE = 5 * 1024 * 1024;
/** Largest file upload (VALID-01, R21). */
export const DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024;
/** Largest inbound WebSocket message (and frame) the server reads (WS-UPGRADE-2). */
export const MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;

/** The keepalive frame: a lone CBOR null, sent as a binary message in either direction. */
export const KEEPALIVE_BYTE = 0xf6;
