import { writeValue } from '../cbor/encode.js';
import { CborFloat, CborMap, isWireObject, type WireObject, type WireValue } from '../cbor/values.js';
import type { CborWriter } from '../cbor/writer.js';
import { ProtocolDecodeError, ProtocolEncodeError } from './errors.js';

/**
 * How one field's value travels: `Out` is what decode yields, `In` what encode accepts.
 * Method syntax keeps these bivariant so any WireType fits a field slot.
 */
export interface WireType<Out, In = Out> {
  /** Spec name of the wire type (`text`, `i64`, `arr<WsPushChange>`...). */
  readonly name: string;
  decode(value: WireValue): Out;
  encode(w: CborWriter, value: In): void;
  /** The value an omitted E/Z/F field reads as. Absent for types those rules cannot use. */
  empty?(): Out;
  /** True when an E/Z/F field holding `value` is left off the wire. */
  isEmpty?(value: In): boolean;
  /** For `arr<T>`: the element type (lets tests and tools walk a schema). */
  readonly element?: WireType<unknown, unknown>;
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function describe(value: WireValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'byte string';
  if (value instanceof CborFloat) return 'float';
  if (value instanceof CborMap) return 'map with non-text keys';
  if (typeof value === 'object') return 'map';
  return typeof value === 'string' ? 'text' : typeof value;
}

export function wrongType(expected: string, value: WireValue): ProtocolDecodeError {
  return new ProtocolDecodeError('wrong_type', `expected ${expected}, got ${describe(value)}`);
}

export const text: WireType<string> = {
  name: 'text',
  decode(value) {
    if (typeof value !== 'string') throw wrongType('text', value);
    // PostgreSQL text cannot hold NUL: refuse it here so no method ever reaches storage with one.
    if (value.includes('\u0000'))
      throw new ProtocolDecodeError('invalid_text', 'text contains a NUL character');
    return value;
  },
  encode(w, value) {
    if (typeof value !== 'string') throw new ProtocolEncodeError('expected a string');
    w.text(value);
  },
  empty: () => '',
  isEmpty: (value) => value === '',
};

export const bytes: WireType<Uint8Array> = {
  name: 'bytes',
  decode(value) {
    if (!(value instanceof Uint8Array)) throw wrongType('byte string', value);
    return value;
  },
  encode(w, value) {
    if (!(value instanceof Uint8Array)) throw new ProtocolEncodeError('expected a Uint8Array');
    w.bytes(value);
  },
};

export const bool: WireType<boolean> = {
  name: 'bool',
  decode(value) {
    if (typeof value !== 'boolean') throw wrongType('bool', value);
    return value;
  },
  encode(w, value) {
    if (typeof value !== 'boolean') throw new ProtocolEncodeError('expected a boolean');
    w.bool(value);
  },
  empty: () => false,
  isEmpty: (value) => value === false,
};

export const i32: WireType<number> = {
  name: 'i32',
  decode(value) {
    if (typeof value === 'number' && value >= I32_MIN && value <= I32_MAX) return value;
    if (typeof value === 'number' || typeof value === 'bigint') {
      throw new ProtocolDecodeError('out_of_range', `integer ${value} is outside i32`);
    }
    throw wrongType('integer', value);
  },
  encode(w, value) {
    if (!Number.isInteger(value) || value < I32_MIN || value > I32_MAX) {
      throw new ProtocolEncodeError(`${value} is not an i32`);
    }
    w.int(value);
  },
  empty: () => 0,
  isEmpty: (value) => value === 0,
};

/**
 * A signed 64-bit protocol integer: a `number` whenever it is a safe integer (every realistic cursor,
 * size and sequence), a `bigint` beyond ±(2^53 − 1), exactly as cborg and the SDK read them.
 */
export type Int64 = number | bigint;

/** i64 fields: full reference range (PROTO-05); the encoder takes either representation. */
export const i64: WireType<Int64> = {
  name: 'i64',
  decode(value) {
    if (typeof value === 'number') return value;
    if (typeof value === 'bigint') {
      if (value >= I64_MIN && value <= I64_MAX) return value;
      throw new ProtocolDecodeError('out_of_range', `integer ${value} is outside i64`);
    }
    throw wrongType('integer', value);
  },
  encode(w, value) {
    if (typeof value === 'bigint') {
      if (value < I64_MIN || value > I64_MAX) throw new ProtocolEncodeError(`${value} is not an i64`);
      w.bigint(value);
      return;
    }
    if (!Number.isSafeInteger(value)) throw new ProtocolEncodeError(`${value} is not a safe integer`);
    w.int(value);
  },
  empty: () => 0,
  isEmpty: (value) => value === 0 || value === 0n,
};

/** Any well-formed CBOR value, passed through untouched (frame `params`, `result`, `data`). */
export const anyValue: WireType<WireValue> = {
  name: 'any',
  decode: (value) => value,
  encode(w, value) {
    writeValue(w, value, 0);
  },
};

/** Any text-keyed map, passed through untouched. */
export const anyMap: WireType<WireObject> = {
  name: 'map',
  decode(value) {
    if (!isWireObject(value)) throw wrongType('map', value);
    return value;
  },
  encode(w, value) {
    if (!isWireObject(value)) throw new ProtocolEncodeError('expected a map');
    writeValue(w, value, 0);
  },
};

/** `arr<T>`: a definite or indefinite CBOR array of T; an empty array is the E-rule default. */
export function arrayOf<Out, In>(item: WireType<Out, In>): WireType<Out[], readonly In[]> {
  return {
    name: `arr<${item.name}>`,
    element: item,
    decode(value) {
      if (!Array.isArray(value)) throw wrongType('array', value);
      const input = value as readonly WireValue[];
      const out = new Array<Out>(input.length);
      for (let i = 0; i < input.length; i++) {
        try {
          out[i] = item.decode(input[i] as WireValue);
        } catch (err) {
          if (err instanceof ProtocolDecodeError) throw err.within(`[${i}]`);
          throw err;
        }
      }
      return out;
    },
    encode(w, value) {
      if (!Array.isArray(value)) throw new ProtocolEncodeError('expected an array');
      w.arrayHead(value.length);
      let i = 0;
      try {
        for (; i < value.length; i++) item.encode(w, value[i] as In);
      } catch (err) {
        if (err instanceof ProtocolEncodeError) throw err.within(`[${i}]`);
        throw err;
      }
    },
    empty: () => [],
    isEmpty: (value) => value.length === 0,
  };
}
