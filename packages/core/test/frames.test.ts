import { describe, expect, it } from 'vitest';
import {
  AuthParamsCodec,
  CborFloat,
  decodeCbor,
  encodeChunk,
  encodeChunks,
  encodeErrorResponse,
  encodeKeepalive,
  encodeNotification,
  encodeRequest,
  encodeResponse,
  FrameHeadCodec,
  FrameType,
  isKeepalive,
  Payload,
  ProtocolDecodeError,
  ProtocolEncodeError,
  RpcErrorCode,
  WsPresenceDataCodec,
} from '../src/index.js';
import { hex, unhex } from './helpers.js';

describe('PROTO-07 outbound frame envelopes', () => {
  it('PROTO-07 result response has exactly type, id, result', () => {
    const frame = decodeCbor(encodeResponse('r-1', { ok: true })) as Record<string, unknown>;
    expect(Object.keys(frame)).toEqual(['type', 'id', 'result']);
    expect(frame).toEqual({ type: FrameType.Response, id: 'r-1', result: { ok: true } });
  });

  it('PROTO-07 error response has type, id, error{code, message} and no result', () => {
    const frame = decodeCbor(encodeErrorResponse('', RpcErrorCode.InvalidParams, 'bad')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(frame)).toEqual(['type', 'id', 'error']);
    expect(frame.error).toEqual({ code: 'invalid_params', message: 'bad' });
  });

  it('PROTO-07 notification has type, method, params and no id', () => {
    const bytes = encodeNotification(
      'presence',
      Payload.of(WsPresenceDataCodec, { space: 's', peer: 'p', data: Uint8Array.of(1) }),
    );
    const frame = decodeCbor(bytes) as Record<string, unknown>;
    expect(Object.keys(frame)).toEqual(['type', 'method', 'params']);
    expect(frame.type).toBe(2);
  });

  it('PROTO-07 chunk has type, id, name, data', () => {
    const frame = decodeCbor(encodeChunk('p1', 'pull.begin', { space: 's' })) as Record<string, unknown>;
    expect(Object.keys(frame)).toEqual(['type', 'id', 'name', 'data']);
    expect(frame.type).toBe(3);
  });

  it('PROTO-07 a request frame carries type 0, id, method, params', () => {
    expect(hex(encodeRequest('', '', {}))).toBe(
      'a4' + '647479706500' + '62696460' + '666d6574686f6460' + '66706172616d73a0',
    );
  });

  it('PROTO-07 a dynamic payload can hold floats and non-text keys (relayed peer values)', () => {
    const bytes = encodeResponse('x', Payload.value({ f: new CborFloat(2) }));
    expect(hex(bytes)).toContain('6166fb4000000000000000');
  });

  it('PROTO-07 an invalid typed payload throws ProtocolEncodeError instead of sending a bad frame', () => {
    const bad = Payload.of(WsPresenceDataCodec, {
      space: 's',
      peer: 'p',
      data: 'no' as unknown as Uint8Array,
    });
    expect(() => encodeNotification('presence', bad)).toThrow(ProtocolEncodeError);
    // The shared writer is clean afterwards.
    expect(hex(encodeKeepalive())).toBe('f6');
    expect(decodeCbor(encodeResponse('r', {}))).toEqual({ type: 1, id: 'r', result: {} });
  });

  it('PROTO-07 broadcast bytes are a stable Uint8Array, independent of later encodes', () => {
    const a = encodeNotification('invitation', {});
    const copy = a.slice();
    encodeNotification('other', { big: new Uint8Array(10_000) });
    expect(a).toEqual(copy);
    expect(a).toBeInstanceOf(Uint8Array);
  });

  it('PROTO-07 a batch of chunks encodes each frame exactly as encodeChunk does, in order', () => {
    const items = [
      ['pull.begin', { space: 's', cursor: 3 }],
      ['pull.record', Payload.value({ id: 'r', blob: Uint8Array.of(1, 2, 3) })],
      ['pull.commit', {}],
    ] as const;
    const frames = encodeChunks('p-9', items);
    expect(frames.map(hex)).toEqual(items.map(([name, data]) => hex(encodeChunk('p-9', name, data))));
    expect(encodeChunks('p-9', [])).toEqual([]);
  });

  it('PROTO-07 a batch larger than one group spans several buffers; every view stays intact', () => {
    // 1,200 frames of ~1 KiB: three groups of at most 512 KiB plus a frame.
    const blob = new Uint8Array(1000).fill(7);
    const items = Array.from({ length: 1200 }, (_, i) => ['pull.record', { n: i, blob }] as const);
    const frames = encodeChunks('big', items);
    const buffers = new Set(frames.map((f) => f.buffer));
    expect(buffers.size).toBe(3);
    for (const buffer of buffers) expect(buffer.byteLength).toBeLessThanOrEqual(512 * 1024 + 2048);
    // Later encodes (which reuse the shared writer) leave earlier views untouched.
    encodeChunks('other', items.slice(0, 600));
    encodeChunk('x', 'pull.record', { big: new Uint8Array(10_000) });
    const intact = frames.filter((frame, i) =>
      Buffer.from(frame).equals(encodeChunk('big', 'pull.record', { n: i, blob })),
    );
    expect(intact.length).toBe(1200);
  });

  it('PROTO-07 an item that cannot be encoded fails the batch and leaves the writer clean', () => {
    const bad = Payload.of(WsPresenceDataCodec, {
      space: 's',
      peer: 'p',
      data: 'no' as unknown as Uint8Array,
    });
    expect(() =>
      encodeChunks('b', [
        ['ok', {}],
        ['presence', bad],
      ]),
    ).toThrow(ProtocolEncodeError);
    expect(hex(encodeChunks('b', [['ok', {}]])[0] as Uint8Array)).toBe(hex(encodeChunk('b', 'ok', {})));
  });

  it('PROTO-07 keepalive is exactly one 0xf6 byte; longer messages starting with f6 are not keepalives', () => {
    expect(isKeepalive(encodeKeepalive())).toBe(true);
    expect(isKeepalive(unhex('f600'))).toBe(false);
    expect(isKeepalive(new Uint8Array(0))).toBe(false);
    expect(isKeepalive(unhex('f5'))).toBe(false);
    expect(encodeKeepalive()).not.toBe(encodeKeepalive());
  });
});

describe('WSPROTO-08 frame head decoding helpers', () => {
  it('WSPROTO-08 request/notification/response/chunk heads decode; id and method default to ""', () => {
    expect(FrameHeadCodec.fromBytes(encodeRequest('req-1', 'subscribe', {}))).toEqual({
      type: 0,
      id: 'req-1',
      method: 'subscribe',
      params: {},
    });
    expect(FrameHeadCodec.fromBytes(encodeNotification('presence.set', {}))).toMatchObject({
      type: 2,
      id: '',
      method: 'presence.set',
    });
    expect(FrameHeadCodec.fromBytes(encodeResponse('r-1', {})).type).toBe(1);
    expect(FrameHeadCodec.fromBytes(encodeChunk('c-1', 'pull.record', {})).type).toBe(3);
    expect(FrameHeadCodec.decode({ type: 99, method: 'noop', id: 'req-1' }).type).toBe(99);
  });

  it('WSPROTO-08 null id, non-text method, missing or out-of-range type are refused', () => {
    expect(() => FrameHeadCodec.decode({ type: 0, id: null })).toThrow(ProtocolDecodeError);
    expect(() => FrameHeadCodec.decode({ type: 0, method: 5 })).toThrow(/method/);
    expect(() => FrameHeadCodec.decode({ id: 'x' })).toThrow(/type: required/);
    expect(() => FrameHeadCodec.decode({ type: 2 ** 31 })).toThrow(/outside i32/);
  });

  it('WSPROTO-06 auth params need a text token', () => {
    const frame = decodeCbor(
      unhex(
        'a3 6474797065 02 666d6574686f64 6461757468 66706172616d73 a1 65746f6b656e 6b76616c69642d746f6b656e',
      ),
    );
    const head = FrameHeadCodec.decode(frame);
    expect(head.method).toBe('auth');
    expect(AuthParamsCodec.decode(head.params ?? null)).toEqual({ token: 'valid-token' });
    expect(() => AuthParamsCodec.decode({ token: null })).toThrow(ProtocolDecodeError);
    expect(() => AuthParamsCodec.decode({})).toThrow(ProtocolDecodeError);
  });
});
