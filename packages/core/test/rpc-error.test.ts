import { describe, expect, it } from 'vitest';
import { decodeCbor, ProtocolDecodeError, RpcError, RpcErrorPayloadCodec } from '../src/index.js';
import { hex } from './helpers.js';

describe('PROTO-03 RpcError', () => {
  it('PROTO-03 round-trips code and message (rpc_error_roundtrip)', () => {
    const err = new RpcError('conflict', 'sequence mismatch');
    const bytes = err.toBytes();
    expect(Object.keys(decodeCbor(bytes) as object)).toEqual(['code', 'message']);
    const back = RpcError.fromBytes(bytes);
    expect(back.code).toBe('conflict');
    expect(back.detail).toBe('sequence mismatch');
    expect(back.toPayload()).toEqual({ code: 'conflict', message: 'sequence mismatch' });
  });

  it('PROTO-03 displays as "code: message" (rpc_error_string)', () => {
    const err = new RpcError('not_found', 'space does not exist');
    expect(err.toString()).toBe('not_found: space does not exist');
    expect(err.message).toBe('not_found: space does not exist');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('RpcError');
  });

  it('PROTO-03 both fields are required', () => {
    expect(() => RpcErrorPayloadCodec.decode({ code: 'x' })).toThrow(ProtocolDecodeError);
    expect(hex(RpcErrorPayloadCodec.toBytes({ code: 'a', message: '' }))).toBe(
      'a264636f64656161676d65737361676560',
    );
  });
});
