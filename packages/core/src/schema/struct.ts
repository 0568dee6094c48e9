import { type CborDecodeOptions, decodeCbor } from '../cbor/decode.js';
import { withWriter } from '../cbor/encode.js';
import { isWireObject, type WireValue } from '../cbor/values.js';
import type { CborWriter } from '../cbor/writer.js';
import { ProtocolDecodeError, ProtocolEncodeError } from './errors.js';
import { type WireType, wrongType } from './wire-types.js';

/**
 * Field rules from protocol.md §2: R required · E omit-if-empty · Z omit-if-zero · F omit-if-false ·
 * N optional (missing or null = absent) · A always written, null when absent · X never on the wire.
 */
export type Rule = 'R' | 'E' | 'Z' | 'F' | 'N' | 'A' | 'X';

export interface Field<Out, In, Rl extends Rule> {
  readonly type: WireType<Out, In>;
  readonly rule: Rl;
}

// WireType's methods are bivariant, so every concrete field is assignable to this.
export type Shape = Readonly<Record<string, Field<unknown, unknown, Rule>>>;

type OutOf<F> = F extends Field<infer O, infer _I, Rule> ? O : never;
type InOf<F> = F extends Field<infer _O, infer I, Rule> ? I : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

type OptionalOnDecode = 'N' | 'A' | 'X';
type RequiredOnEncode = 'R';

/** The value `decode` returns: E/Z/F fields are always present (defaulted), N/A/X are optional. */
export type DecodedShape<S extends Shape> = Simplify<
  { -readonly [K in keyof S as S[K]['rule'] extends OptionalOnDecode ? never : K]: OutOf<S[K]> } & {
    -readonly [K in keyof S as S[K]['rule'] extends OptionalOnDecode ? K : never]?: OutOf<S[K]>;
  }
>;

/** The value `encode` accepts: only R fields are required; N/A fields also take `null` as absent. */
export type EncodableShape<S extends Shape> = Simplify<
  { readonly [K in keyof S as S[K]['rule'] extends RequiredOnEncode ? K : never]: InOf<S[K]> } & {
    readonly [K in keyof S as S[K]['rule'] extends RequiredOnEncode ? never : K]?: S[K]['rule'] extends
      | 'N'
      | 'A'
      ? InOf<S[K]> | null
      : InOf<S[K]>;
  }
>;

/** Decoded TS type of a struct codec. */
export type Decoded<C> = C extends StructCodec<infer S> ? DecodedShape<S> : never;
/** Encodable TS type of a struct codec (what result builders pass in). */
export type Encodable<C> = C extends StructCodec<infer S> ? EncodableShape<S> : never;

interface CompiledField {
  readonly key: string;
  /** The key's CBOR text-string bytes, encoded once. */
  readonly keyBytes: Uint8Array;
  readonly type: WireType<unknown, unknown>;
  readonly rule: Rule;
}

/** Rule constructors; the type parameter restricts each rule to the wire types it applies to. */
export const rule = {
  R: <O, I>(type: WireType<O, I>): Field<O, I, 'R'> => ({ type, rule: 'R' }),
  E: <O extends string | readonly unknown[], I>(type: WireType<O, I>): Field<O, I, 'E'> => ({
    type,
    rule: 'E',
  }),
  Z: <O extends number | bigint, I>(type: WireType<O, I>): Field<O, I, 'Z'> => ({ type, rule: 'Z' }),
  F: (type: WireType<boolean>): Field<boolean, boolean, 'F'> => ({ type, rule: 'F' }),
  N: <O, I>(type: WireType<O, I>): Field<O, I, 'N'> => ({ type, rule: 'N' }),
  A: <O, I>(type: WireType<O, I>): Field<O, I, 'A'> => ({ type, rule: 'A' }),
  X: <O, I>(type: WireType<O, I>): Field<O, I, 'X'> => ({ type, rule: 'X' }),
};

function isPresent(f: CompiledField, value: unknown): boolean {
  switch (f.rule) {
    case 'R':
    case 'A':
      return true;
    case 'N':
      return value !== undefined && value !== null;
    case 'X':
      return false;
    default:
      // E, Z, F: written only when set and non-empty.
      return value !== undefined && !(f.type.isEmpty?.(value) ?? false);
  }
}

/**
 * A protocol struct, declared once as an ordered field list. Encodes to a definite-length map with the
 * present keys in declaration order (PROTO-04); decodes with the acceptance rules of PROTO-05 (+R2).
 */
export class StructCodec<S extends Shape> implements WireType<DecodedShape<S>, EncodableShape<S>> {
  private readonly compiled: readonly CompiledField[];

  constructor(
    readonly name: string,
    readonly shape: S,
  ) {
    this.compiled = Object.entries(shape).map(([key, field]) => ({
      key,
      keyBytes: encodeKey(key),
      type: field.type,
      rule: field.rule,
    }));
  }

  /** Wire keys in declaration order, X fields excluded. */
  get keys(): string[] {
    return this.compiled.filter((f) => f.rule !== 'X').map((f) => f.key);
  }

  decode(value: WireValue): DecodedShape<S> {
    if (!isWireObject(value)) throw wrongType(`${this.name} map`, value);
    const out: Record<string, unknown> = {};
    for (const f of this.compiled) {
      if (f.rule === 'X') continue;
      const raw = value[f.key];
      try {
        if (raw === undefined || raw === null) {
          this.absent(f, raw, out);
        } else {
          out[f.key] = f.type.decode(raw);
        }
      } catch (err) {
        if (err instanceof ProtocolDecodeError) throw err.within(f.key);
        throw err;
      }
    }
    return out as DecodedShape<S>;
  }

  private absent(f: CompiledField, raw: null | undefined, out: Record<string, unknown>): void {
    switch (f.rule) {
      case 'N':
      case 'A':
        return;
      case 'R':
        throw raw === null
          ? new ProtocolDecodeError('null', 'required field is null')
          : new ProtocolDecodeError('missing', 'required field is missing');
      default:
        // E/Z/F: a missing key takes the default; an explicit null is an error (PROTO-05).
        if (raw === null) throw new ProtocolDecodeError('null', `null is not allowed for ${f.type.name}`);
        out[f.key] = f.type.empty?.();
    }
  }

  encode(w: CborWriter, value: EncodableShape<S>): void {
    if (typeof value !== 'object' || value === null) throw new ProtocolEncodeError(`expected ${this.name}`);
    const obj = value as Readonly<Record<string, unknown>>;
    let count = 0;
    for (const f of this.compiled) if (isPresent(f, obj[f.key])) count++;
    w.mapHead(count);
    for (const f of this.compiled) {
      const v = obj[f.key];
      if (!isPresent(f, v)) continue;
      w.raw(f.keyBytes);
      if (v === undefined || v === null) {
        if (f.rule === 'A') {
          w.null();
          continue;
        }
        throw new ProtocolEncodeError('required field is missing').within(f.key);
      }
      try {
        f.type.encode(w, v);
      } catch (err) {
        if (err instanceof ProtocolEncodeError) throw err.within(f.key);
        throw err;
      }
    }
  }

  /** Encode to a standalone CBOR byte string. */
  toBytes(value: EncodableShape<S>): Uint8Array {
    return withWriter((w) => this.encode(w, value));
  }

  /** Decode a standalone CBOR byte string (bounded; throws CborDecodeError or ProtocolDecodeError). */
  fromBytes(bytes: Uint8Array, options?: CborDecodeOptions): DecodedShape<S> {
    return this.decode(decodeCbor(bytes, options));
  }
}

const keyEncoder = new TextEncoder();
function encodeKey(key: string): Uint8Array {
  const utf8 = keyEncoder.encode(key);
  if (utf8.length >= 24) return Uint8Array.of(0x78, utf8.length, ...utf8);
  return Uint8Array.of(0x60 | utf8.length, ...utf8);
}

/** Declare a protocol struct. Field order in `shape` is the wire order. */
export function struct<const S extends Shape>(name: string, shape: S): StructCodec<S> {
  return new StructCodec(name, shape);
}
