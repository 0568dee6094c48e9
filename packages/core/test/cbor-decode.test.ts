import { describe, expect, it } from 'vitest';
import {
  CborDecodeError,
  type CborDecodeReason,
  CborFloat,
  CborMap,
  DEFAULT_DECODE_LIMITS,
  decodeCbor,
  MAX_INBOUND_MESSAGE_SIZE,
} from '../src/index.js';
import { unhex } from './helpers.js';

function reasonOf(input: Uint8Array, options?: Parameters<typeof decodeCbor>[1]): CborDecodeReason {
  try {
    decodeCbor(input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(CborDecodeError);
    return (err as CborDecodeError).reason;
  }
  throw new Error('expected a CborDecodeError');
}

describe('R2 bounded CBOR decoder', () => {
  it('R2 decodes the whole data model', () => {
    expect(decodeCbor(unhex('00'))).toBe(0);
    expect(decodeCbor(unhex('3863'))).toBe(-100);
    expect(decodeCbor(unhex('1b0020000000000000'))).toBe(2n ** 53n);
    expect(decodeCbor(unhex('3bffffffffffffffff'))).toBe(-(2n ** 64n));
    expect(decodeCbor(unhex('6161'))).toBe('a');
    expect(decodeCbor(unhex('420102'))).toEqual(Uint8Array.of(1, 2));
    expect(decodeCbor(unhex('f4'))).toBe(false);
    expect(decodeCbor(unhex('f5'))).toBe(true);
    expect(decodeCbor(unhex('f6'))).toBe(null);
    expect(decodeCbor(unhex('fb3ff0000000000000'))).toEqual(new CborFloat(1));
    expect(decodeCbor(unhex('fa3fc00000'))).toEqual(new CborFloat(1.5));
    expect(decodeCbor(unhex('fb7ff8000000000000'))).toEqual(new CborFloat(Number.NaN));
    expect(decodeCbor(unhex('8201a16161f6'))).toEqual([1, { a: null }]);
  });

  it('R2 text-keyed maps inherit nothing; __proto__ and constructor are plain keys', () => {
    const value = decodeCbor(unhex('a1 695f5f70726f746f5f5f 01')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(Object.getPrototypeOf(value))).toBe(null);
    expect('toString' in value).toBe(false);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(decodeCbor(unhex('a2 6b636f6e7374727563746f72 01 68746f537472696e67 02'))).toEqual({
      constructor: 1,
      toString: 2,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('R2 a map with any non-text key becomes an ordered CborMap', () => {
    const value = decodeCbor(unhex('a3 6161 01 02 03 6162 04'));
    expect(value).toBeInstanceOf(CborMap);
    expect((value as CborMap).entries).toEqual([
      ['a', 1],
      [2, 3],
      ['b', 4],
    ]);
  });

  it('PROTO-22 entries mode keeps every map as ordered pairs, duplicates included', () => {
    const value = decodeCbor(unhex('a2 6161 01 6161 02'), { maps: 'entries' });
    expect((value as CborMap).entries).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
  });

  it('PROTO-05 duplicate text keys are refused (stricter than the reference only for unknown keys)', () => {
    expect(reasonOf(unhex('a2 6161 01 6161 02'))).toBe('duplicate_key');
    expect(reasonOf(unhex('a2 6161 f7 6161 02'))).toBe('duplicate_key');
  });

  it('R2 undefined as a map value is dropped (absent); elsewhere it is refused', () => {
    expect(decodeCbor(unhex('a2 6161 f7 6162 01'))).toEqual({ b: 1 });
    expect(decodeCbor(unhex('a2 01 f7 6162 01'))).toEqual(new CborMap([['b', 1]]));
    expect(reasonOf(unhex('f7'))).toBe('undefined_value');
    expect(reasonOf(unhex('81f7'))).toBe('undefined_value');
    expect(reasonOf(unhex('a1f701'))).toBe('undefined_value');
  });

  it('PROTO-05 indefinite-length arrays and maps are accepted', () => {
    expect(decodeCbor(unhex('9f0102ff'))).toEqual([1, 2]);
    expect(decodeCbor(unhex('bf6161 01 ff'))).toEqual({ a: 1 });
    expect(decodeCbor(unhex('bf 01 02 ff'))).toEqual(new CborMap([[1, 2]]));
  });

  it('R2 refused constructs: tags, half floats, indefinite strings, stray breaks, simple values', () => {
    expect(reasonOf(unhex('c11a514b67b0'))).toBe('tag');
    expect(reasonOf(unhex('a1 6161 c2 41 01'))).toBe('tag');
    expect(reasonOf(unhex('f93c00'))).toBe('half_float');
    expect(reasonOf(unhex('5f4101ff'))).toBe('indefinite_string');
    expect(reasonOf(unhex('7f6161ff'))).toBe('indefinite_string');
    expect(reasonOf(unhex('ff'))).toBe('unexpected_break');
    expect(reasonOf(unhex('8201ff'))).toBe('unexpected_break');
    expect(reasonOf(unhex('a1 ff'))).toBe('unexpected_break');
    expect(reasonOf(unhex('a1 6161 ff'))).toBe('unexpected_break');
    expect(reasonOf(unhex('bf 6161 ff'))).toBe('unexpected_break');
    expect(reasonOf(unhex('e0'))).toBe('malformed');
    expect(reasonOf(unhex('1c'))).toBe('malformed');
  });

  it('PROTO-05 invalid UTF-8 text is refused; a real U+FFFD is fine', () => {
    expect(reasonOf(unhex('62c328'))).toBe('invalid_utf8');
    expect(reasonOf(unhex(`7818${'61'.repeat(22)}c328`))).toBe('invalid_utf8');
    expect(decodeCbor(unhex('63efbfbd'))).toBe('\uFFFD');
  });

  it('WSPROTO-08 truncated input is refused', () => {
    expect(reasonOf(unhex('a5'))).toBe('truncated');
    expect(reasonOf(unhex('82 01'))).toBe('truncated');
    expect(reasonOf(unhex('6461'))).toBe('truncated');
    expect(reasonOf(unhex('1a0001'))).toBe('truncated');
    expect(reasonOf(unhex('ffffff'))).toBe('unexpected_break');
  });

  it('PROTO-05 trailing bytes are ignored by default, refused on request', () => {
    expect(decodeCbor(unhex('01 02 03'))).toBe(1);
    expect(decodeCbor(unhex('f6 00'))).toBe(null);
    expect(reasonOf(unhex('01 02'), { rejectTrailingBytes: true })).toBe('trailing_bytes');
    expect(decodeCbor(unhex('01'), { rejectTrailingBytes: true })).toBe(1);
  });

  it('R2 size limit: empty and oversize inputs are refused before parsing', () => {
    expect(reasonOf(new Uint8Array(0))).toBe('empty');
    expect(DEFAULT_DECODE_LIMITS.maxBytes).toBe(MAX_INBOUND_MESSAGE_SIZE);
    expect(reasonOf(new Uint8Array(MAX_INBOUND_MESSAGE_SIZE + 1))).toBe('too_large');
    expect(reasonOf(unhex('43010203'), { limits: { maxBytes: 3 } })).toBe('too_large');
    expect(reasonOf('x' as unknown as Uint8Array)).toBe('not_bytes');
  });

  it('R2 depth limit: nesting beyond maxDepth is refused without recursion blow-up', () => {
    const deep = new Uint8Array(100_000).fill(0x81);
    expect(reasonOf(deep)).toBe('too_deep');
    const ok = new Uint8Array([...new Array(DEFAULT_DECODE_LIMITS.maxDepth).fill(0x81), 0x00]);
    expect(decodeCbor(ok)).toBeDefined();
    const tooDeep = new Uint8Array([...new Array(DEFAULT_DECODE_LIMITS.maxDepth + 1).fill(0x81), 0x00]);
    expect(reasonOf(tooDeep)).toBe('too_deep');
    expect(reasonOf(unhex('a1 6161 a1 6161 01'), { limits: { maxDepth: 1 } })).toBe('too_deep');
  });

  it('R2 item-count limit: huge declared or real counts are refused', () => {
    // Array header claiming 2^32-1 items with almost no data: never allocates, fails fast.
    expect(reasonOf(unhex('9affffffff00'))).toBe('truncated');
    // Many real items.
    const many = new Uint8Array(1 + 4 + 300_000);
    many.set([0x9a, 0x00, 0x04, 0x93, 0xe0]);
    expect(reasonOf(many)).toBe('too_many_items');
    expect(reasonOf(unhex('83010203'), { limits: { maxItems: 3 } })).toBe('too_many_items');
    expect(decodeCbor(unhex('83010203'), { limits: { maxItems: 4 } })).toEqual([1, 2, 3]);
    // A 64-bit array length with no items behind it.
    expect(['truncated', 'malformed']).toContain(reasonOf(unhex('9b0000000100000000')));
  });

  it('R2 the error carries a stable code and reason', () => {
    const err = (() => {
      try {
        decodeCbor(unhex('c0'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CborDecodeError);
    expect((err as CborDecodeError).code).toBe('cbor_decode');
    expect((err as CborDecodeError).name).toBe('CborDecodeError');
    expect((err as CborDecodeError).message).toMatch(/tag/);
  });
});
