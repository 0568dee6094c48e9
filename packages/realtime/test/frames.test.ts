import { encodeCbor, type WireValue } from '@less-sync/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Close, parseAuthFrame, parseClientFrame, selectSubprotocol } from '../src/index.js';

const cbor = (v: WireValue) => encodeCbor(v);

describe('parseClientFrame (WSPROTO-08, WS-FRAME-2)', () => {
  it('WSPROTO-08 rejects_empty_binary_frame with 4005 "empty binary frame"', () => {
    expect(parseClientFrame(new Uint8Array())).toEqual({ ok: false, close: Close.emptyBinaryFrame });
    expect(Close.emptyBinaryFrame).toEqual({ code: 4005, reason: 'empty binary frame' });
  });

  it('WSPROTO-08 rejects_invalid_cbor and rejects_truncated_cbor with 4005 "invalid cbor frame"', () => {
    for (const bytes of [[0xff, 0xff, 0xff], [0xa5], [0xf6, 0x00], [0x01], [0xa1, 0x01, 0x02]]) {
      expect(parseClientFrame(Uint8Array.from(bytes))).toEqual({
        ok: false,
        close: { code: 4005, reason: 'invalid cbor frame' },
      });
    }
  });

  it('WSPROTO-08 allows_keepalive_null: exactly [0xF6] is a keepalive', () => {
    expect(parseClientFrame(Uint8Array.of(0xf6))).toEqual({ ok: true, value: { kind: 'keepalive' } });
  });

  it('WSPROTO-08 allows_unknown_frame_types; client responses and chunks are ignored', () => {
    expect(parseClientFrame(cbor({ type: 99, method: 'noop', id: 'req-1' }))).toEqual({
      ok: true,
      value: { kind: 'ignored', type: 99 },
    });
    expect(parseClientFrame(cbor({ type: -1 }))).toMatchObject({ ok: true, value: { kind: 'ignored' } });
    expect(parseClientFrame(cbor({ type: 1, id: 'r-1', result: {} }))).toMatchObject({
      value: { kind: 'ignored', type: 1 },
    });
    expect(parseClientFrame(cbor({ type: 3, id: 'c-1', name: 'pull.record', data: {} }))).toMatchObject({
      value: { kind: 'ignored', type: 3 },
    });
  });

  it('WSPROTO-08 parses_request_frame and parses_notification_frame, params carried through', () => {
    expect(parseClientFrame(cbor({ type: 0, id: 'req-1', method: 'subscribe', params: {} }))).toEqual({
      ok: true,
      value: { kind: 'request', id: 'req-1', method: 'subscribe', params: {} },
    });
    expect(parseClientFrame(cbor({ type: 2, method: 'presence.set', params: { a: 1 } }))).toEqual({
      ok: true,
      value: { kind: 'notification', method: 'presence.set', params: { a: 1 } },
    });
    // id and method default to "" when absent.
    expect(parseClientFrame(cbor({ type: 0 }))).toEqual({
      ok: true,
      value: { kind: 'request', id: '', method: '', params: undefined },
    });
  });

  it('WS-FRAME-2 envelope errors: missing/non-integer/out-of-i32 type, null or numeric id, non-map, non-text key', () => {
    const bad: WireValue[] = [
      { id: 'x' },
      { type: 'zero' },
      { type: 2 ** 31 },
      { type: 0, id: null },
      { type: 0, id: 7 },
      { type: 0, method: null },
      [0, 'id'],
      'text',
    ];
    for (const v of bad)
      expect(parseClientFrame(cbor(v)), JSON.stringify(v)).toEqual({
        ok: false,
        close: Close.invalidCborFrame,
      });
    // {1: 0}: a map with an integer key.
    expect(parseClientFrame(Uint8Array.of(0xa1, 0x01, 0x00))).toEqual({
      ok: false,
      close: Close.invalidCborFrame,
    });
    // Duplicate `type` key.
    expect(
      parseClientFrame(
        Uint8Array.of(0xa2, 0x64, 0x74, 0x79, 0x70, 0x65, 0x00, 0x64, 0x74, 0x79, 0x70, 0x65, 0x02),
      ),
    ).toEqual({
      ok: false,
      close: Close.invalidCborFrame,
    });
  });

  it('PROTO-05 trailing bytes after the first item are ignored', () => {
    const frame = cbor({ type: 2, method: 'm' });
    const padded = new Uint8Array([...frame, 0xff, 0x00]);
    expect(parseClientFrame(padded)).toMatchObject({
      ok: true,
      value: { kind: 'notification', method: 'm' },
    });
  });

  it('WSPROTO-08 fuzz: random bytes never throw; every result is a frame or a 4005 close', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const r = parseClientFrame(bytes);
        if (!r.ok) expect(r.close.code).toBe(4005);
      }),
      { numRuns: 5000 },
    );
  });

  it('WSPROTO-08 fuzz: random well-formed CBOR values never throw', () => {
    const value = fc.letrec<{ v: WireValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.string(),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.constantFrom('type', 'id', 'method', 'params', 'x'), tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const r = parseClientFrame(cbor(v));
        if (!r.ok) expect(r.close).toEqual(Close.invalidCborFrame);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseAuthFrame (WSPROTO-06, WS-AUTH-1)', () => {
  const auth = (v: WireValue) => parseAuthFrame(cbor(v));

  it('WSPROTO-06 authenticates_first_auth_notification: the token, any key order, extra keys ignored', () => {
    expect(auth({ type: 2, method: 'auth', params: { token: 'valid-token' } })).toEqual({
      ok: true,
      value: 'valid-token',
    });
    expect(auth({ params: { token: 't', x: 1 }, method: 'auth', id: 'ignored', type: 2 })).toEqual({
      ok: true,
      value: 't',
    });
  });

  it('WSPROTO-06 reasons in order: empty, invalid shape, not an auth notification, empty token', () => {
    expect(parseAuthFrame(new Uint8Array())).toEqual({ ok: false, close: Close.emptyAuthFrame });
    expect(parseAuthFrame(Uint8Array.of(0xf6))).toEqual({ ok: false, close: Close.invalidAuthFrame });
    // rejects_non_auth_first_frame: a request without params.token is "invalid auth frame" (NOTE-10).
    expect(auth({ type: 0, method: 'subscribe', id: 'req-1', params: {} })).toEqual({
      ok: false,
      close: Close.invalidAuthFrame,
    });
    expect(auth({ type: 2, params: { token: 't' } })).toEqual({ ok: false, close: Close.invalidAuthFrame });
    expect(auth({ type: 2, method: 'auth', params: { token: null } })).toEqual({
      ok: false,
      close: Close.invalidAuthFrame,
    });
    expect(auth({ type: 2, method: 'auth', params: null })).toEqual({
      ok: false,
      close: Close.invalidAuthFrame,
    });
    expect(auth({ type: 0, method: 'auth', params: { token: 't' } })).toEqual({
      ok: false,
      close: Close.notAuthNotification,
    });
    expect(auth({ type: 2, method: 'Auth', params: { token: 't' } })).toEqual({
      ok: false,
      close: Close.notAuthNotification,
    });
    expect(auth({ type: 2, method: 'auth', params: { token: '' } })).toEqual({
      ok: false,
      close: Close.emptyAuthToken,
    });
    for (const c of [
      Close.emptyAuthFrame,
      Close.invalidAuthFrame,
      Close.notAuthNotification,
      Close.emptyAuthToken,
    ]) {
      expect(c.code).toBe(4000);
    }
  });

  it('WSPROTO-06 the canonical auth frame bytes from protocol.md §7 parse', () => {
    const hex =
      'a3647479706502666d6574686f646461757468' + '66706172616d73a165746f6b656e6b76616c69642d746f6b656e';
    expect(parseAuthFrame(Buffer.from(hex, 'hex'))).toEqual({ ok: true, value: 'valid-token' });
  });

  it('WSPROTO-06 fuzz: random bytes never throw; failures are 4000', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        const r = parseAuthFrame(bytes);
        if (!r.ok) expect(r.close.code).toBe(4000);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('selectSubprotocol (WSPROTO-01, R1)', () => {
  it('WSPROTO-01 R1 less-rpc-v1, the betterbase-rpc-v1 alias, and less-rpc-v1 first when both are offered', () => {
    expect(selectSubprotocol('less-rpc-v1')).toBe('less-rpc-v1');
    expect(selectSubprotocol('betterbase-rpc-v1')).toBe('betterbase-rpc-v1');
    expect(selectSubprotocol('betterbase-rpc-v1, less-rpc-v1')).toBe('less-rpc-v1');
    expect(selectSubprotocol(new Set(['x', 'betterbase-rpc-v1']))).toBe('betterbase-rpc-v1');
    expect(selectSubprotocol(' foo ,  less-rpc-v1 ')).toBe('less-rpc-v1');
  });

  it('WSPROTO-01 missing, wrong or differently-cased names are refused', () => {
    for (const h of [undefined, '', 'foo', 'LESS-RPC-V1', 'less-rpc-v2', 'less-rpc-v1x']) {
      expect(selectSubprotocol(h)).toBeUndefined();
    }
  });
});
