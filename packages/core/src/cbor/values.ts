/**
 * The CBOR data model as seen by less-sync code.
 *
 * - Integers are `number` when they fit in a JS safe integer and `bigint` otherwise (full 64-bit range).
 * - Floats decode to {@link CborFloat} so that `1.0` on the wire is never mistaken for the integer `1`
 *   (the reference rejects floats in integer positions). A plain non-integer `number` also encodes as f64.
 * - Maps whose keys are all text decode to null-prototype plain objects; any other key type (or the
 *   `entries` decode mode) yields a {@link CborMap}, an ordered list of pairs that keeps duplicates.
 */

/** A float that must travel as an IEEE-754 double (9 bytes, `0xfb`), even when it is integral. */
export class CborFloat {
  readonly kind = 'float' as const;
  constructor(readonly value: number) {}
}

/** A CBOR map with arbitrary keys, in wire order, duplicates preserved (PROTO-22). */
export class CborMap {
  readonly kind = 'map' as const;
  constructor(readonly entries: ReadonlyArray<readonly [WireValue, WireValue]>) {}
}

export type WireScalar = null | boolean | number | bigint | string | Uint8Array;

/** Any value that the encoder can write and the decoder can produce. */
export type WireValue = WireScalar | CborFloat | CborMap | readonly WireValue[] | WireObject;

/**
 * A text-keyed map. Keys are written in insertion order. On encode a property whose value is `undefined`
 * is left out (absent), never written as CBOR undefined.
 */
export interface WireObject {
  readonly [key: string]: WireValue | undefined;
}

export function isWireObject(value: WireValue | undefined): value is WireObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof CborFloat) &&
    !(value instanceof CborMap)
  );
}
