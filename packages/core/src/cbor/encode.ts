import { CborEncodeError } from './errors.js';
import { CborFloat, CborMap, type WireObject, type WireValue } from './values.js';
import { CborWriter } from './writer.js';

/** Deeper than any protocol value; stops runaway recursion on cyclic input. */
const MAX_ENCODE_DEPTH = 256;
/** A reused writer keeps small encodes allocation-light; it is dropped after a very large frame. */
const RETAINED_WRITER_BYTES = 1024 * 1024;

let sharedWriter: CborWriter | undefined;

/** Run `write` against a reusable writer and return the exact bytes. Synchronous, so never re-entered. */
export function withWriter(write: (w: CborWriter) => void): Uint8Array {
  const w = sharedWriter ?? new CborWriter(4096);
  sharedWriter = undefined;
  try {
    write(w);
    return w.finish();
  } catch (err) {
    w.finish();
    throw err;
  } finally {
    w.shrinkTo(RETAINED_WRITER_BYTES);
    sharedWriter = w;
  }
}

/**
 * Encode any {@link WireValue} exactly as the reference would: definite lengths, text keys in insertion
 * order (never sorted), shortest integers, f64 for every float, byte strings for `Uint8Array`.
 * Object properties holding `undefined` are omitted.
 */
export function encodeCbor(value: WireValue): Uint8Array {
  return withWriter((w) => writeValue(w, value, 0));
}

export function writeValue(w: CborWriter, value: WireValue | undefined, depth: number): void {
  switch (typeof value) {
    case 'string':
      w.text(value);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) w.int(value);
      else w.float64(value);
      return;
    case 'boolean':
      w.bool(value);
      return;
    case 'bigint':
      w.bigint(value);
      return;
    case 'object':
      if (value === null) {
        w.null();
        return;
      }
      if (depth >= MAX_ENCODE_DEPTH) {
        throw new CborEncodeError('too_deep', `value nests deeper than ${MAX_ENCODE_DEPTH} levels`);
      }
      writeContainer(w, value, depth + 1);
      return;
    default:
      throw new CborEncodeError('unsupported_type', `cannot encode a value of type ${typeof value}`);
  }
}

function writeContainer(
  w: CborWriter,
  value: CborFloat | CborMap | Uint8Array | readonly WireValue[] | WireObject,
  depth: number,
): void {
  if (value instanceof Uint8Array) {
    w.bytes(value);
  } else if (Array.isArray(value)) {
    const items = value as readonly WireValue[];
    w.arrayHead(items.length);
    for (const item of items) writeValue(w, item, depth);
  } else if (value instanceof CborFloat) {
    w.float64(value.value);
  } else if (value instanceof CborMap) {
    w.mapHead(value.entries.length);
    for (const [k, v] of value.entries) {
      writeValue(w, k, depth);
      writeValue(w, v, depth);
    }
  } else {
    writeObject(w, value as WireObject, depth);
  }
}

function writeObject(w: CborWriter, obj: WireObject, depth: number): void {
  const keys = Object.keys(obj);
  let count = 0;
  for (const key of keys) if (obj[key] !== undefined) count++;
  w.mapHead(count);
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined) continue;
    w.text(key);
    writeValue(w, v, depth);
  }
}
