import { describe, expect, it } from 'vitest';
import {
  CborDecodeError,
  type CborValue,
  cborValueFrom,
  cborValueFromWire,
  cborValueToWire,
  decodeCborValue,
  encodeCborValue,
} from '../src/index.js';
import { hex, unhex } from './helpers.js';

const rt = (v: CborValue) => decodeCborValue(encodeCborValue(v));

describe('PROTO-22 CborValue', () => {
  it('PROTO-22 primitives round-trip (roundtrip_primitives)', () => {
    const values: CborValue[] = [
      { kind: 'null' },
      { kind: 'bool', value: true },
      { kind: 'integer', value: 42n },
      { kind: 'float', value: 1.234 },
      { kind: 'text', value: 'hello' },
      { kind: 'bytes', value: Uint8Array.of(1, 2, 3) },
    ];
    for (const v of values) expect(rt(v)).toEqual(v);
    expect(hex(encodeCborValue({ kind: 'float', value: 1 }))).toBe('fb3ff0000000000000');
    expect(rt({ kind: 'integer', value: -(1n << 63n) })).toEqual({ kind: 'integer', value: -(1n << 63n) });
  });

  it('PROTO-22 nested map keeps order and key types (roundtrip_nested)', () => {
    const v: CborValue = {
      kind: 'map',
      entries: [
        [
          { kind: 'text', value: 'key' },
          { kind: 'array', items: [{ kind: 'integer', value: 1n }, { kind: 'null' }] },
        ],
        [
          { kind: 'text', value: 'data' },
          { kind: 'bytes', value: Uint8Array.of(0xaa, 0xbb) },
        ],
        [
          { kind: 'integer', value: 7n },
          { kind: 'bool', value: false },
        ],
      ],
    };
    expect(rt(v)).toEqual(v);
  });

  it('PROTO-22 duplicate keys are kept, not merged', () => {
    const v = decodeCborValue(unhex('a2 6161 01 6161 02'));
    expect(v).toEqual({
      kind: 'map',
      entries: [
        [
          { kind: 'text', value: 'a' },
          { kind: 'integer', value: 1n },
        ],
        [
          { kind: 'text', value: 'a' },
          { kind: 'integer', value: 2n },
        ],
      ],
    });
  });

  it('PROTO-22 from a serialisable value gives a map with its entries (from_serializable_struct)', () => {
    const v = cborValueFrom({ name: 'test', count: 7 });
    expect(v.kind).toBe('map');
    expect(v.kind === 'map' && v.entries.length).toBe(2);
  });

  it('PROTO-22 integer range: u64 above i64::MAX and below i64::MIN are errors', () => {
    expect(() => decodeCborValue(unhex('1b8000000000000000'))).toThrow(
      /u64 value 9223372036854775808 overflows i64/,
    );
    expect(() => decodeCborValue(unhex('3b8000000000000000'))).toThrow(CborDecodeError);
    expect(() => decodeCborValue(unhex('f93c00'))).toThrow(CborDecodeError);
    expect(() => decodeCborValue(unhex('c001'))).toThrow(CborDecodeError);
    expect(() => decodeCborValue(unhex('f7'))).toThrow(CborDecodeError);
  });

  it('PROTO-22 conversion from and to the plain wire model', () => {
    expect(cborValueFromWire({ a: 1.5, b: undefined })).toEqual({
      kind: 'map',
      entries: [
        [
          { kind: 'text', value: 'a' },
          { kind: 'float', value: 1.5 },
        ],
      ],
    });
    expect(cborValueFromWire([1])).toEqual({ kind: 'array', items: [{ kind: 'integer', value: 1n }] });
    expect(cborValueToWire({ kind: 'integer', value: 1n << 60n })).toBe(1n << 60n);
    expect(cborValueToWire({ kind: 'integer', value: 5n })).toBe(5);
    expect(cborValueToWire({ kind: 'text', value: 'x' })).toBe('x');
  });
});
