import { encode as cborgEncode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import {
  CborDecodeError,
  CborFloat,
  CborMap,
  decodeCbor,
  encodeCbor,
  ProtocolDecodeError,
  PushParamsCodec,
  type Shape,
  StructCodec,
  type WireType,
  type WireValue,
} from '../src/index.js';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

const onlyDecodeErrors = (fn: () => unknown, allowed: Array<new (...a: never[]) => Error>) => {
  try {
    fn();
  } catch (err) {
    if (!allowed.some((cls) => err instanceof cls)) throw err;
  }
};

describe('R2 decoder robustness (property)', () => {
  it('R2 random bytes only ever raise CborDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        onlyDecodeErrors(() => decodeCbor(bytes), [CborDecodeError]);
        onlyDecodeErrors(() => decodeCbor(bytes, { maps: 'entries' }), [CborDecodeError]);
      }),
      { numRuns: 3000 },
    );
  });

  it('R2 random bytes through a typed codec raise only CborDecodeError or ProtocolDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        onlyDecodeErrors(() => PushParamsCodec.fromBytes(bytes), [CborDecodeError, ProtocolDecodeError]);
      }),
      { numRuns: 2000 },
    );
  });

  it('R2 mutated and truncated valid frames never escape the typed errors', () => {
    const valid = PushParamsCodec.toBytes({
      space: 'space-1',
      ucan: 'u',
      changes: [{ id: 'rec-1', blob: Uint8Array.of(1, 2, 3), expected_cursor: 9, dek: new Uint8Array(44) }],
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 4,
        }),
        fc.nat({ max: valid.length }),
        (edits, cut) => {
          const bytes = valid.slice(0, Math.max(1, cut));
          for (const [pos, byte] of edits) if (pos < bytes.length) bytes[pos] = byte;
          onlyDecodeErrors(() => PushParamsCodec.fromBytes(bytes), [CborDecodeError, ProtocolDecodeError]);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('R2 pathological headers finish quickly (no hang, no huge allocation)', () => {
    const start = performance.now();
    for (const head of [0x9b, 0xbb, 0x5b, 0x7b, 0x9a, 0xba]) {
      const bytes = new Uint8Array([head, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
      onlyDecodeErrors(() => decodeCbor(bytes), [CborDecodeError]);
    }
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});

/** Wire values the encoder accepts and the decoder returns unchanged (objects: no undefined). */
function wireValues(withFloats: boolean): fc.Arbitrary<WireValue> {
  return fc.letrec<{ v: WireValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.maxSafeInteger(),
      fc
        .bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n })
        .filter((b) => b < -(2n ** 53n) || b >= 2n ** 53n),
      fc.string({ unit: 'grapheme' }),
      fc.uint8Array({ maxLength: 64 }),
      withFloats ? fc.double({ noNaN: true }).map((d) => new CborFloat(d)) : fc.constant(0),
      fc.array(tie('v'), { maxLength: 5 }),
      fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 5 }),
    ),
  })).v;
}
const wireValue = wireValues(true);

describe('PROTO-04 encoder/decoder round-trip (property)', () => {
  it('PROTO-04 any wire value round-trips through encodeCbor/decodeCbor', () => {
    fc.assert(
      fc.property(wireValue, (value) => {
        expect(decodeCbor(encodeCbor(value), { limits: { maxDepth: 64 } })).toEqual(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('PROTO-04 our bytes equal cborg configured as the reference (float64, no key sorting)', () => {
    const noFloatObjects = wireValue.filter(
      (v) => !JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? 0 : x)).includes('"kind":"float"'),
    );
    fc.assert(
      fc.property(noFloatObjects, (value) => {
        expect(Buffer.from(encodeCbor(value)).toString('hex')).toBe(
          Buffer.from(cborgEncode(value, { float64: true, mapSorter: undefined })).toString('hex'),
        );
      }),
      { numRuns: 1000 },
    );
  });
});

// ---- schema-driven generators: one arbitrary per protocol struct, derived from its field list ----

type Gen = fc.Arbitrary<unknown>;

function arbitraryForType(type: WireType<unknown, unknown>): Gen {
  if (type instanceof StructCodec) return arbitraryForStruct(type);
  if (type.element !== undefined) return fc.array(arbitraryForType(type.element), { maxLength: 4 });
  switch (type.name) {
    case 'text':
      return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'bytes':
      return fc.uint8Array({ maxLength: 48 });
    case 'bool':
      return fc.boolean();
    case 'i32':
      return fc.integer();
    case 'i64':
      return fc.oneof(
        fc.maxSafeInteger(),
        fc.bigInt({ min: I64_MIN, max: I64_MAX }).filter((b) => b < -(2n ** 53n) || b >= 2n ** 53n),
      );
    default:
      return wireValue;
  }
}

function arbitraryForStruct(codec: StructCodec<Shape>): Gen {
  const fields: Record<string, Gen> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(codec.shape)) {
    fields[key] = arbitraryForType(field.type);
    if (field.rule === 'R') required.push(key);
  }
  return fc.record(fields, { requiredKeys: required });
}

/** What decode must return for `value`: defaults for E/Z/F, absent for N/A null, X dropped. */
function expected(codec: StructCodec<Shape>, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(codec.shape)) {
    const v = value[key];
    const inner = (x: unknown): unknown => {
      if (field.type instanceof StructCodec) return expected(field.type, x as Record<string, unknown>);
      const el = field.type.element;
      if (el instanceof StructCodec) return (x as Array<Record<string, unknown>>).map((e) => expected(el, e));
      return x;
    };
    if (field.rule === 'X') continue;
    if (field.rule === 'N' || field.rule === 'A') {
      if (v !== undefined && v !== null) out[key] = inner(v);
    } else if (field.rule === 'R') {
      out[key] = inner(v);
    } else {
      const empty = v === undefined || (field.type.isEmpty?.(v) ?? false);
      out[key] = empty ? field.type.empty?.() : inner(v);
    }
  }
  return out;
}

const allCodecs = Object.entries(core).filter(
  (e): e is [string, StructCodec<Shape>] => e[1] instanceof StructCodec,
);

describe('PROTO-08..PROTO-21 every protocol type round-trips (property)', () => {
  it('PROTO-24 every registered codec is exported', () => {
    expect(allCodecs.length).toBeGreaterThanOrEqual(60);
  });

  for (const [name, codec] of allCodecs) {
    it(`PROTO-04 PROTO-05 ${name} encode → decode gives the normalised value and re-encodes identically`, () => {
      fc.assert(
        fc.property(arbitraryForStruct(codec), (value) => {
          const bytes = codec.toBytes(value as never);
          const decoded = codec.fromBytes(bytes, { limits: { maxDepth: 64 } });
          expect(decoded).toEqual(expected(codec, value as Record<string, unknown>));
          expect(codec.toBytes(decoded as never)).toEqual(bytes);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('PROTO-05 key order on the wire does not matter for decode', () => {
    fc.assert(
      fc.property(arbitraryForStruct(PushParamsCodec as unknown as StructCodec<Shape>), (value) => {
        const wire = decodeCbor(PushParamsCodec.toBytes(value as never)) as Record<string, WireValue>;
        const reversed = Object.fromEntries(Object.entries(wire).reverse());
        expect(PushParamsCodec.fromBytes(encodeCbor(reversed))).toEqual(PushParamsCodec.decode(wire));
      }),
      { numRuns: 100 },
    );
  });

  it('PROTO-22 CborMap values survive codec any-fields', () => {
    const m = new CborMap([[1, 'x']]);
    expect(decodeCbor(encodeCbor(m))).toEqual(m);
  });
});
