import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  FrameType,
  isRpcErrorCode,
  KEEPALIVE_BYTE,
  MAX_INBOUND_MESSAGE_SIZE,
  RPC_CHUNK,
  RPC_ERROR_CODES,
  RPC_NOTIFICATION,
  RPC_REQUEST,
  RPC_RESPONSE,
  RPC_STREAM,
  RpcErrorCode,
  WS_SUBPROTOCOL,
  WS_SUBPROTOCOL_ALIAS,
  WS_SUBPROTOCOLS,
} from '../src/index.js';

describe('frozen wire constants', () => {
  it('PROTO-01 frame types 0..3, RPC_STREAM aliases RPC_CHUNK', () => {
    expect([RPC_REQUEST, RPC_RESPONSE, RPC_NOTIFICATION, RPC_CHUNK]).toEqual([0, 1, 2, 3]);
    expect(RPC_STREAM).toBe(RPC_CHUNK);
    expect(FrameType).toEqual({ Request: 0, Response: 1, Notification: 2, Chunk: 3 });
  });

  it('PROTO-02 error codes are the nine generic strings plus key_generation_stale', () => {
    expect([...RPC_ERROR_CODES].sort()).toEqual(
      [
        'invalid_params',
        'bad_request',
        'forbidden',
        'not_found',
        'conflict',
        'rate_limited',
        'payload_too_large',
        'method_not_found',
        'internal',
        'key_generation_stale',
      ].sort(),
    );
    expect(RpcErrorCode.KeyGenerationStale).toBe('key_generation_stale');
    expect(isRpcErrorCode('conflict')).toBe(true);
    expect(isRpcErrorCode('epoch_conflict')).toBe(false);
  });

  it('WSPROTO-02 close codes 4000..4007', () => {
    expect(CloseCode).toEqual({
      AuthFailed: 4000,
      TokenExpired: 4001,
      Forbidden: 4002,
      TooManyConnections: 4003,
      PowRequired: 4004,
      ProtocolError: 4005,
      SlowConsumer: 4006,
      RateLimited: 4007,
    });
  });

  it('R1 subprotocol less-rpc-v1 first, betterbase-rpc-v1 accepted as alias', () => {
    expect(WS_SUBPROTOCOL).toBe('less-rpc-v1');
    expect(WS_SUBPROTOCOL_ALIAS).toBe('betterbase-rpc-v1');
    expect(WS_SUBPROTOCOLS).toEqual(['less-rpc-v1', 'betterbase-rpc-v1']);
  });

  it('PROTO-07 keepalive byte and the 4 MiB inbound limit', () => {
    expect(KEEPALIVE_BYTE).toBe(0xf6);
    expect(MAX_INBOUND_MESSAGE_SIZE).toBe(4_194_304);
  });
});
