import { type CborDecodeOptions, decodeCbor } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import { CborDecodeError } from '../cbor/errors.js';
import { CborFloat, CborMap, type WireObject, type WireValue } from '../cbor/values.js';

/**
 * PROTO-22: a fully dynamic CBOR value. Maps are ordered pair lists with any key type; duplicates are
 * kept. Integers are i64 (as bigint); floats are f64 and always encode in 9 bytes.
 */
export type CborValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'array'; readonly items: readonly CborValue[] }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [CborValue, CborValue]> };

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** Convert a CborValue to the plain wire model (for embedding in frames or encoding). */
export function cborValueToWire(value: CborValue): WireValue {
  switch (value.kind) {
    case 'null':
      return null;
    case 'integer':
      return value.value >= BigInt(Number.MIN_SAFE_INTEGER) && value.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value.value)
        : value.value;
    case 'float':
      return new CborFloat(value.value);
    case 'array':
      return value.items.map(cborValueToWire);
    case 'map':
      return new CborMap(value.entries.map(([k, v]) => [cborValueToWire(k), cborValueToWire(v)] as const));
    default:
      return value.value;
  }
}

/** Convert a decoded wire value (any map mode) to a CborValue, enforcing the i64 integer range. */
export function cborValueFromWire(value: WireValue): CborValue {
  switch (typeof value) {
    case 'boolean':
      return { kind: 'bool', value };
    case 'string':
      return { kind: 'text', value };
    case 'number':
      // A plain JS number that is not a safe integer can only be a float (the decoder never yields one).
      return Number.isSafeInteger(value)
        ? { kind: 'integer', value: BigInt(value) }
        : { kind: 'float', value };
    case 'bigint':
      if (value > I64_MAX) throw new CborDecodeError('integer_overflow', `u64 value ${value} overflows i64`);
      if (value < I64_MIN)
        throw new CborDecodeError('integer_overflow', `negative integer ${value} underflows i64`);
      return { kind: 'integer', value };
    default:
      break;
  }
  if (value === null) return { kind: 'null' };
  if (value instanceof Uint8Array) return { kind: 'bytes', value };
  if (value instanceof CborFloat) return { kind: 'float', value: value.value };
  if (value instanceof CborMap) {
    return {
      kind: 'map',
      entries: value.entries.map(([k, v]) => [cborValueFromWire(k), cborValueFromWire(v)] as const),
    };
  }
  if (Array.isArray(value))
    return { kind: 'array', items: (value as readonly WireValue[]).map(cborValueFromWire) };
  const obj = value as WireObject;
  const entries: Array<readonly [CborValue, CborValue]> = [];
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v !== undefined) entries.push([{ kind: 'text', value: key }, cborValueFromWire(v)]);
  }
  return { kind: 'map', entries };
}

export function encodeCborValue(value: CborValue): Uint8Array {
  return encodeCbor(cborValueToWire(value));
}

/** Decode any CBOR item into a CborValue (bounded; throws only CborDecodeError). */
export function decodeCborValue(bytes: Uint8Array, options: Omit<CborDecodeOptions, 'maps'> = {}): CborValue {
  return cborValueFromWire(decodeCbor(bytes, { ...options, maps: 'entries' }));
}

/** Encode any wire value and read it back as a CborValue (the reference's `from_serializable`). */
export function cborValueFrom(value: WireValue): CborValue {
  return decodeCborValue(encodeCbor(value), { limits: { maxBytes: Number.MAX_SAFE_INTEGER } });
}
