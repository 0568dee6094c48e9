import { encode as cborgEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import {
  anyMap,
  arrayOf,
  bool,
  bytes,
  CborFloat,
  CborMap,
  decodeCbor,
  i32,
  i64,
  ProtocolDecodeError,
  ProtocolEncodeError,
  rule,
  struct,
  text,
  type WireValue,
} from '../src/index.js';
import { hex, unhex } from './helpers.js';

const { R, E, Z, F, N, A, X } = rule;

/** One field per rule, so each rule's null / missing / undefined handling can be probed. */
const Probe = struct('Probe', {
  r: R(text),
  e: E(text),
  z: Z(i64),
  f: F(bool),
  n: N(bytes),
  a: A(bytes),
  x: X(bool),
  list: E(arrayOf(i32)),
});

function decodeErr(value: WireValue): ProtocolDecodeError {
  try {
    Probe.decode(value);
  } catch (err) {
    if (err instanceof ProtocolDecodeError) return err;
    throw err;
  }
  throw new Error('expected a ProtocolDecodeError');
}

describe('PROTO-04 encoding by rule', () => {
  it('PROTO-04 only present keys are written, in declaration order, counted in the map head', () => {
    expect(hex(Probe.toBytes({ r: 'v' }))).toBe('a261726176' + '6161f6');
    const all = Probe.toBytes({
      r: 'v',
      e: 'e',
      z: 5,
      f: true,
      n: Uint8Array.of(1),
      a: Uint8Array.of(2),
      x: true,
      list: [1],
    });
    expect(Object.keys(decodeCbor(all) as object)).toEqual(['r', 'e', 'z', 'f', 'n', 'a', 'list']);
    expect(all[0]).toBe(0xa7);
  });

  it('PROTO-04 E/Z/F defaults are omitted; N/A null means absent; X is never written', () => {
    const bytes = Probe.toBytes({ r: '', e: '', z: 0, f: false, n: null, a: null, x: true, list: [] });
    expect(decodeCbor(bytes)).toEqual({ r: '', a: null });
    expect(Object.keys(decodeCbor(Probe.toBytes({ r: 'x', z: 0n })) as object)).toEqual(['r', 'a']);
  });

  it('PROTO-04 integers use the shortest head at every boundary', () => {
    const I = struct('I', { v: R(i64) });
    const cases: Array<[number | bigint, string]> = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [255, '18ff'],
      [256, '190100'],
      [65535, '19ffff'],
      [65536, '1a00010000'],
      [4294967295, '1affffffff'],
      [4294967296, '1b0000000100000000'],
      [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
      [9223372036854775807n, '1b7fffffffffffffff'],
      [-1, '20'],
      [-24, '37'],
      [-25, '3818'],
      [-256, '38ff'],
      [-257, '390100'],
      [-9223372036854775808n, '3b7fffffffffffffff'],
    ];
    for (const [v, h] of cases) {
      expect(hex(I.toBytes({ v }))).toBe(`a16176${h}`);
      expect(I.fromBytes(I.toBytes({ v })).v).toBe(v);
    }
  });

  it('PROTO-04 encode refuses values that do not fit their wire type', () => {
    const I = struct('I', { a: R(i32), b: R(i64) });
    expect(() => I.toBytes({ a: 2 ** 31, b: 0 })).toThrow(ProtocolEncodeError);
    expect(() => I.toBytes({ a: 1.5, b: 0 })).toThrow(/a: 1.5 is not an i32/);
    expect(() => I.toBytes({ a: 0, b: 2 ** 60 })).toThrow(/b: .* not a safe integer/);
    expect(() => I.toBytes({ a: 0, b: 1n << 63n })).toThrow(/not an i64/);
    const err = (() => {
      try {
        Probe.toBytes({ r: 'v', list: [1, 2, 2 ** 40] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProtocolEncodeError);
    expect((err as ProtocolEncodeError).path).toBe('list[2]');
    // Wrong JS types are refused too (a server bug must never reach the wire).
    const bad = (value: unknown) => () => Probe.toBytes(value as { r: string });
    expect(bad({ r: 1 })).toThrow(/r: expected a string/);
    expect(bad({ r: 'x', f: 'yes' })).toThrow(/f: expected a boolean/);
    expect(bad({ r: 'x', n: [1] })).toThrow(/n: expected a Uint8Array/);
    expect(bad({ r: 'x', list: 'nope' })).toThrow(/list: expected an array/);
    expect(bad({})).toThrow(/r: required field is missing/);
    expect(bad(null)).toThrow(/expected Probe/);
  });

  it('PROTO-04 a nested map field encodes any text-keyed map as given', () => {
    const M = struct('M', { m: R(anyMap) });
    expect(hex(M.toBytes({ m: { b: 1, a: 2 } }))).toBe('a1616da2616201616102');
    expect(() => M.toBytes({ m: [] as unknown as Record<string, never> })).toThrow(ProtocolEncodeError);
  });
});

describe('PROTO-05 decoding by rule (null vs missing vs undefined, R2)', () => {
  it('PROTO-05 R: missing and null are errors with the field path', () => {
    expect(decodeErr({}).reason).toBe('missing');
    expect(decodeErr({}).path).toBe('r');
    expect(decodeErr({ r: null }).reason).toBe('null');
  });

  it('PROTO-05 E/Z/F: missing gives the default; null is an error', () => {
    expect(Probe.decode({ r: 'v' })).toEqual({ r: 'v', e: '', z: 0, f: false, list: [] });
    for (const key of ['e', 'z', 'f', 'list']) {
      const err = decodeErr({ r: 'v', [key]: null });
      expect(err.reason).toBe('null');
      expect(err.path).toBe(key);
    }
  });

  it('PROTO-05 N/A: missing and null both read as absent; an empty byte string is present', () => {
    expect(Probe.decode({ r: 'v', n: null, a: null })).toEqual({ r: 'v', e: '', z: 0, f: false, list: [] });
    const d = Probe.decode({ r: 'v', n: new Uint8Array(0) });
    expect(d.n).toEqual(new Uint8Array(0));
    expect('a' in d).toBe(false);
  });

  it('PROTO-05 X fields are ignored on decode even when present', () => {
    expect(Probe.decode({ r: 'v', x: true }).x).toBeUndefined();
  });

  it('R2 CBOR undefined reads exactly like a missing key for every rule', () => {
    // cborg (the SDK's encoder) writes `undefined` properties as 0xf7.
    const bytes = cborgEncode({
      r: 'v',
      e: undefined,
      z: undefined,
      f: undefined,
      n: undefined,
      a: undefined,
    });
    expect(hex(bytes)).toContain('6165f7');
    expect(Probe.fromBytes(bytes)).toEqual({ r: 'v', e: '', z: 0, f: false, list: [] });
    const missingR = cborgEncode({ r: undefined });
    expect(() => Probe.fromBytes(missingR)).toThrow(/r: required field is missing/);
  });

  it('PROTO-05 wrong types are refused, with a typed error and path', () => {
    const cases: Array<[WireValue, string]> = [
      [{ r: 1 }, 'r'],
      [{ r: Uint8Array.of(1) }, 'r'],
      [{ r: 'v', z: 'one' }, 'z'],
      [{ r: 'v', z: new CborFloat(1) }, 'z'],
      [{ r: 'v', f: 1 }, 'f'],
      [{ r: 'v', n: [1, 2] }, 'n'],
      [{ r: 'v', n: 'text' }, 'n'],
      [{ r: 'v', list: [1, 'x'] }, 'list[1]'],
      [{ r: 'v', list: { a: 1 } }, 'list'],
    ];
    for (const [value, path] of cases) {
      const err = decodeErr(value);
      expect(err.reason).toBe('wrong_type');
      expect(err.path).toBe(path);
      expect(err.message.startsWith(`${path}: expected`)).toBe(true);
    }
  });

  it('PROTO-05 a struct position must hold a text-keyed map', () => {
    expect(decodeErr([1]).message).toMatch(/expected Probe map, got array/);
    expect(decodeErr(new CborMap([[1, 'x']])).message).toMatch(/map with non-text keys/);
    expect(decodeErr(null).message).toMatch(/got null/);
    expect(decodeErr('s').message).toMatch(/got text/);
    expect(decodeErr(new CborFloat(1)).message).toMatch(/got float/);
    expect(decodeErr(true).message).toMatch(/got boolean/);
  });

  it('PROTO-05 integer widths: i32 and i64 ranges are enforced', () => {
    const I = struct('I', { a: R(i32), b: R(i64) });
    expect(I.decode({ a: 2147483647, b: 0 }).a).toBe(2147483647);
    expect(I.decode({ a: -2147483648, b: 0 }).a).toBe(-2147483648);
    expect(() => I.decode({ a: 2147483648, b: 0 })).toThrow(/a: integer 2147483648 is outside i32/);
    expect(() => I.decode({ a: -2147483649, b: 0 })).toThrow(/outside i32/);
    expect(() => I.decode({ a: 1n << 40n, b: 0 })).toThrow(/outside i32/);
    expect(() => I.decode({ a: 0, b: 1n << 63n })).toThrow(/b: integer 9223372036854775808 is outside i64/);
    expect(() => I.decode({ a: 0, b: -(1n << 63n) - 1n })).toThrow(/outside i64/);
    expect(I.decode({ a: 0, b: -(1n << 63n) }).b).toBe(-(1n << 63n));
    // Non-minimal integer heads are accepted (e.g. 5 written as 1b 00..05).
    expect(I.fromBytes(unhex('a2 6161 1a00000005 6162 1b0000000000000005'))).toEqual({ a: 5, b: 5 });
    // A float, even integral, is not an integer.
    expect(() => I.fromBytes(unhex('a2 6161 fb3ff0000000000000 6162 00'))).toThrow(
      /a: expected integer, got float/,
    );
  });

  it('PROTO-05 unknown keys are ignored, whatever their value', () => {
    expect(Probe.decode({ r: 'v', extra: new CborMap([[1, 2]]), more: [null] })).toEqual({
      r: 'v',
      e: '',
      z: 0,
      f: false,
      list: [],
    });
  });

  it('PROTO-05 nested error paths name the full location', () => {
    const Inner = struct('Inner', { id: R(text), n: R(i32) });
    const Outer = struct('Outer', { items: R(arrayOf(Inner)) });
    try {
      Outer.decode({
        items: [
          { id: 'a', n: 1 },
          { id: 'b', n: 'x' },
        ],
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolDecodeError);
      expect((err as ProtocolDecodeError).path).toBe('items[1].n');
      expect((err as ProtocolDecodeError).message).toBe('items[1].n: expected integer, got text');
      expect((err as ProtocolDecodeError).code).toBe('protocol_decode');
    }
  });

  it('PROTO-04 struct keys lists wire keys without X fields', () => {
    expect(Probe.keys).toEqual(['r', 'e', 'z', 'f', 'n', 'a', 'list']);
  });
});
