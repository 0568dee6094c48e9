import { describe, expect, it } from 'vitest';
import { CborEncodeError, CborFloat, CborMap, decodeCbor, encodeCbor, type WireValue } from '../src/index.js';
import { hex } from './helpers.js';

describe('PROTO-04 reference CBOR encoder', () => {
  it('PROTO-04 scalars', () => {
    expect(hex(encodeCbor(null))).toBe('f6');
    expect(hex(encodeCbor(true))).toBe('f5');
    expect(hex(encodeCbor(false))).toBe('f4');
    expect(hex(encodeCbor(0))).toBe('00');
    expect(hex(encodeCbor(-1))).toBe('20');
    expect(hex(encodeCbor(1549))).toBe('19060d');
    expect(hex(encodeCbor(-(2 ** 53) + 1))).toBe('3b001ffffffffffffe');
    expect(hex(encodeCbor(2n ** 64n - 1n))).toBe('1bffffffffffffffff');
    expect(hex(encodeCbor(-(2n ** 64n)))).toBe('3bffffffffffffffff');
    expect(hex(encodeCbor(5n))).toBe('05');
  });

  it('PROTO-22 floats are always 9-byte f64, never shrunk', () => {
    expect(hex(encodeCbor(1.5))).toBe('fb3ff8000000000000');
    expect(hex(encodeCbor(new CborFloat(1)))).toBe('fb3ff0000000000000');
    expect(hex(encodeCbor(new CborFloat(0)))).toBe('fb0000000000000000');
    expect(hex(encodeCbor(Number.NaN))).toBe('fb7ff8000000000000');
    expect(hex(encodeCbor(Number.POSITIVE_INFINITY))).toBe('fb7ff0000000000000');
    // A number beyond 2^53 cannot be an exact integer; it is written as the double it is.
    expect(hex(encodeCbor(2 ** 60))).toBe('fb43b0000000000000');
  });

  it('PROTO-04 text is definite UTF-8, bytes are major type 2', () => {
    expect(hex(encodeCbor(''))).toBe('60');
    expect(hex(encodeCbor('é'))).toBe('62c3a9');
    expect(hex(encodeCbor('a'.repeat(24)))).toBe(`7818${'61'.repeat(24)}`);
    expect(hex(encodeCbor(`a${'€'.repeat(30)}`))).toBe(`785b61${'e282ac'.repeat(30)}`);
    expect(hex(encodeCbor(new Uint8Array(0)))).toBe('40');
    expect(hex(encodeCbor(Buffer.from([1, 2])))).toBe('420102');
    const big = new Uint8Array(70_000).fill(7);
    const out = encodeCbor(big);
    expect(hex(out.subarray(0, 5))).toBe('5a00011170');
    expect(out.length).toBe(70_005);
  });

  it('PROTO-04 objects keep insertion order, skip undefined, never sort', () => {
    expect(hex(encodeCbor({ zz: 1, a: 2 }))).toBe('a2627a7a016161' + '02');
    expect(hex(encodeCbor({ a: undefined, b: 1 }))).toBe('a1616201');
    expect(hex(encodeCbor({}))).toBe('a0');
    expect(hex(encodeCbor([]))).toBe('80');
    expect(hex(encodeCbor([1, [2]]))).toBe('82018102');
  });

  it('PROTO-22 CborMap writes any keys in stored order, duplicates kept', () => {
    const m = new CborMap([
      [2, 'b'],
      ['a', 1],
      ['a', 2],
    ]);
    expect(hex(encodeCbor(m))).toBe('a3026162616101616102');
  });

  it('PROTO-04 unencodable values raise CborEncodeError', () => {
    const bad = (v: unknown) => () => encodeCbor(v as WireValue);
    expect(bad(undefined)).toThrow(CborEncodeError);
    expect(bad([undefined])).toThrow(/undefined/);
    expect(bad(Symbol('x'))).toThrow(CborEncodeError);
    expect(bad(() => 1)).toThrow(CborEncodeError);
    expect(bad(2n ** 64n)).toThrow(/outside the CBOR 64-bit range/);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(bad(cyclic)).toThrow(/deeper than/);
  });

  it('PROTO-04 the shared writer survives an error and large frames', () => {
    expect(() => encodeCbor([undefined] as unknown as WireValue)).toThrow();
    expect(hex(encodeCbor([1]))).toBe('8101');
    const big = encodeCbor(new Uint8Array(2 * 1024 * 1024));
    expect(big.length).toBe(2 * 1024 * 1024 + 5);
    expect(hex(encodeCbor('x'))).toBe('6178');
  });

  it('PROTO-04 output decodes back to the same value', () => {
    const value = { s: 'x', n: -5, b: Uint8Array.of(1), l: [true, null], m: { k: 1n << 62n } };
    expect(decodeCbor(encodeCbor(value))).toEqual(value);
  });
});
