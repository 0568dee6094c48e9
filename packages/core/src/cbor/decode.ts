import { type DecodeOptions, type Token, Tokenizer } from 'cborg';
import { MAX_INBOUND_MESSAGE_SIZE } from '../protocol/constants.js';
import { CborDecodeError } from './errors.js';
import { CborFloat, CborMap, type WireObject, type WireValue } from './values.js';

/** Bounds on one decode call. Every inbound byte sequence is decoded under these limits (R2). */
export interface CborDecodeLimits {
  /** Largest accepted input, in bytes. */
  readonly maxBytes: number;
  /** Deepest container nesting (the top-level map is depth 1). */
  readonly maxDepth: number;
  /** Most data items (every scalar, container head, key and value counts as one). */
  readonly maxItems: number;
}

export const DEFAULT_DECODE_LIMITS: CborDecodeLimits = Object.freeze({
  maxBytes: MAX_INBOUND_MESSAGE_SIZE,
  maxDepth: 32,
  maxItems: 200_000,
});

export interface CborDecodeOptions {
  readonly limits?: Partial<CborDecodeLimits>;
  /**
   * `objects` (default): text-keyed maps become plain objects, duplicate text keys are refused; a map
   * with any non-text key becomes a {@link CborMap}. `entries`: every map becomes a {@link CborMap},
   * order and duplicates preserved (for {@link CborValue}).
   */
  readonly maps?: 'objects' | 'entries';
  /** The reference ignores bytes after the first complete item (PROTO-05); set true to refuse them. */
  readonly rejectTrailingBytes?: boolean;
}

// cborg only tokenises; every policy decision (depth, counts, tags, undefined, floats) is ours.
const TOKENIZER_OPTIONS: DecodeOptions = {
  strict: false, // non-minimal heads are legal input (PROTO-05)
  allowIndefinite: true,
  allowUndefined: true,
  allowBigInt: true,
  allowNaN: true,
  allowInfinity: true,
};

const BREAK: unique symbol = Symbol('break');
const UNDEFINED: unique symbol = Symbol('undefined');
type Item = WireValue | typeof BREAK | typeof UNDEFINED;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decoded text-keyed maps are instances of this: their prototype is an empty null-prototype object, so
 * `__proto__`, `constructor` and friends are ordinary keys, yet V8 keeps them in fast mode (objects
 * from `Object.create(null)` start as slow dictionaries).
 */
const DecodedMap = function DecodedMap(this: Record<string, WireValue>) {} as unknown as new () => Record<
  string,
  WireValue
>;
DecodedMap.prototype = Object.create(null);

/**
 * Decode the first CBOR item of `bytes` under explicit limits (R2). Throws only {@link CborDecodeError}.
 *
 * Inbound policy, relative to the reference (PROTO-05):
 * - CBOR `undefined` as a map value is dropped, so the key reads as absent (R2; the reference refuses it).
 *   As a key, an array element or the whole message it is refused.
 * - Tags are refused everywhere (the reference refuses them before typed values; we also refuse them
 *   inside values it would merely skip).
 * - Half-precision floats are refused everywhere (the reference has no f16 support at all).
 * - Indefinite-length arrays and maps are accepted, as in the reference. Indefinite-length byte and text
 *   strings are refused (the reference refuses them in typed fields; only its CborValue would join them).
 * - Duplicate text keys are refused in `objects` mode (the reference refuses duplicated known keys and
 *   tolerates duplicated unknown ones); `entries` mode keeps them.
 * - A map with a non-text key decodes to a {@link CborMap}; struct decoding then refuses it, as the
 *   reference does, while such maps nested under unknown keys stay harmless.
 * - Invalid UTF-8 and reserved/simple values are refused. Integers beyond ±(2^53 − 1) become `bigint`.
 * - Trailing bytes after the first item are ignored, as in the reference, unless `rejectTrailingBytes`.
 */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): WireValue {
  if (!(bytes instanceof Uint8Array)) throw new CborDecodeError('not_bytes', 'input is not a byte array');
  const limits = options.limits ? { ...DEFAULT_DECODE_LIMITS, ...options.limits } : DEFAULT_DECODE_LIMITS;
  if (bytes.length === 0) throw new CborDecodeError('empty', 'empty input');
  if (bytes.length > limits.maxBytes) {
    throw new CborDecodeError('too_large', `input of ${bytes.length} bytes exceeds ${limits.maxBytes}`);
  }
  const reader = new Reader(bytes, limits, options.maps === 'entries');
  let item: Item;
  try {
    item = reader.item(0);
  } catch (err) {
    throw asDecodeError(err);
  }
  if (item === BREAK) throw new CborDecodeError('unexpected_break', 'break outside an indefinite container');
  if (item === UNDEFINED) throw new CborDecodeError('undefined_value', 'top-level undefined');
  if (options.rejectTrailingBytes === true && reader.position() !== bytes.length) {
    throw new CborDecodeError('trailing_bytes', `${bytes.length - reader.position()} bytes after the item`);
  }
  return item;
}

/** An envelope decoded with one top-level key's value skipped (see {@link decodeCborEnvelope}). */
export interface CborEnvelope {
  readonly value: WireValue;
  /** Whether the skipped key was present. */
  readonly skipped: boolean;
}

/**
 * Decode a top-level map while skipping the value of `skipKey` (still bounded and structurally checked,
 * iteratively so depth costs no stack). Used to answer a request whose params alone are undecodable (a
 * half float, deep nesting, invalid UTF-8) with an error reply instead of closing the connection.
 */
export function decodeCborEnvelope(bytes: Uint8Array, skipKey: string): CborEnvelope {
  if (!(bytes instanceof Uint8Array)) throw new CborDecodeError('not_bytes', 'input is not a byte array');
  if (bytes.length === 0) throw new CborDecodeError('empty', 'empty input');
  if (bytes.length > DEFAULT_DECODE_LIMITS.maxBytes) {
    throw new CborDecodeError('too_large', `input of ${bytes.length} bytes exceeds the limit`);
  }
  const reader = new Reader(bytes, DEFAULT_DECODE_LIMITS, false, skipKey);
  let item: Item;
  try {
    item = reader.item(0);
  } catch (err) {
    throw asDecodeError(err);
  }
  if (item === BREAK || item === UNDEFINED) throw new CborDecodeError('malformed', 'not an envelope');
  return { value: item, skipped: reader.skipped };
}

function simple(token: Token): Item {
  switch (token.type.name) {
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'undefined':
      return UNDEFINED;
    case 'break':
      return BREAK;
    default:
      // A float. The reference has no f16 support (PROTO-05): a 3-byte float token is refused everywhere.
      if (token.encodedLength === 3) throw new CborDecodeError('half_float', 'half-precision float');
      return new CborFloat(token.value as number);
  }
}

function asDecodeError(err: unknown): CborDecodeError {
  if (err instanceof CborDecodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/not enough data|unexpected end|out of bounds/i.test(message)) {
    return new CborDecodeError('truncated', message);
  }
  if (/indefinite length bytes\/strings/.test(message)) {
    return new CborDecodeError('indefinite_string', message);
  }
  return new CborDecodeError('malformed', message);
}

class Reader {
  private readonly tokens: Tokenizer;
  private items = 0;
  skipped = false;

  constructor(
    private readonly data: Uint8Array,
    private readonly limits: CborDecodeLimits,
    private readonly entriesMode: boolean,
    private readonly skipKey?: string,
  ) {
    this.tokens = new Tokenizer(data, TOKENIZER_OPTIONS);
  }

  /** Consume one whole item without building it: a stack of remaining counts instead of recursion. */
  private skipItem(): void {
    const remaining: number[] = [1];
    while (remaining.length > 0) {
      const top = remaining.length - 1;
      if (remaining[top] === 0) {
        remaining.pop();
        continue;
      }
      if (++this.items > this.limits.maxItems) {
        throw new CborDecodeError('too_many_items', `more than ${this.limits.maxItems} items`);
      }
      if (this.tokens.done()) throw new CborDecodeError('truncated', 'input ended inside an item');
      const token = this.tokens.next();
      if (token.type.name === 'break') {
        if (remaining[top] !== Number.POSITIVE_INFINITY) {
          throw new CborDecodeError('unexpected_break', 'break inside a definite-length container');
        }
        remaining.pop();
        continue;
      }
      remaining[top] = (remaining[top] ?? 1) - 1;
      const major = token.type.major;
      if (major === 4) remaining.push(token.value as number);
      else if (major === 5) remaining.push((token.value as number) * 2);
      else if (major === 6) remaining.push(1);
    }
  }

  position(): number {
    return this.tokens.pos();
  }

  item(depth: number): Item {
    if (++this.items > this.limits.maxItems) {
      throw new CborDecodeError('too_many_items', `more than ${this.limits.maxItems} items`);
    }
    if (this.tokens.done()) throw new CborDecodeError('truncated', 'input ended inside an item');
    const token = this.tokens.next();
    const value: unknown = token.value;
    switch (token.type.major) {
      case 0:
      case 1:
        return value as number | bigint;
      case 2:
        return value as Uint8Array;
      case 3:
        return this.text(value as string, token);
      case 4:
        return this.array(value as number, depth + 1);
      case 5:
        return this.map(value as number, depth + 1);
      case 6:
        throw new CborDecodeError('tag', `tag ${String(value)} is not accepted`);
      default:
        return simple(token);
    }
  }

  private text(value: string, token: Token): string {
    // cborg replaces invalid UTF-8 with U+FFFD; only then pay for a strict re-check of the raw bytes.
    if (value.includes('\uFFFD')) {
      const start = this.tokens.pos() - (token.encodedLength ?? 0);
      const minor = (this.data[start] ?? 0) & 0x1f;
      const headLength = minor < 24 ? 1 : minor === 24 ? 2 : minor === 25 ? 3 : minor === 26 ? 5 : 9;
      const raw = this.data.subarray(start + headLength, start + (token.encodedLength ?? headLength));
      try {
        fatalUtf8.decode(raw);
      } catch {
        throw new CborDecodeError('invalid_utf8', 'text string is not valid UTF-8');
      }
    }
    return value;
  }

  private enter(depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new CborDecodeError('too_deep', `nesting deeper than ${this.limits.maxDepth}`);
    }
  }

  private array(length: number, depth: number): WireValue[] {
    this.enter(depth);
    const out: WireValue[] = [];
    const indefinite = length === Number.POSITIVE_INFINITY;
    for (let i = 0; indefinite || i < length; i++) {
      const v = this.item(depth);
      if (v === BREAK) {
        if (indefinite) break;
        throw new CborDecodeError('unexpected_break', 'break inside a definite-length array');
      }
      if (v === UNDEFINED) throw new CborDecodeError('undefined_value', 'undefined inside an array');
      out.push(v);
    }
    return out;
  }

  private map(length: number, depth: number): WireObject | CborMap {
    this.enter(depth);
    const indefinite = length === Number.POSITIVE_INFINITY;
    let obj: Record<string, WireValue> | undefined = this.entriesMode ? undefined : new DecodedMap();
    let entries: Array<readonly [WireValue, WireValue]> | undefined = obj ? undefined : [];
    let undefinedKeys: Set<string> | undefined;
    for (let i = 0; indefinite || i < length; i++) {
      const key = this.item(depth);
      if (key === BREAK) {
        if (indefinite) break;
        throw new CborDecodeError('unexpected_break', 'break inside a definite-length map');
      }
      if (key === UNDEFINED) throw new CborDecodeError('undefined_value', 'undefined used as a map key');
      if (depth === 1 && key === this.skipKey) {
        this.skipItem();
        this.skipped = true;
        continue;
      }
      const value = this.item(depth);
      if (value === BREAK) throw new CborDecodeError('unexpected_break', 'map key without a value');
      if (obj !== undefined && typeof key !== 'string') {
        // A non-text key: this map can never be a struct; keep it as ordered entries.
        entries = Object.entries(obj);
        obj = undefined;
      }
      if (obj !== undefined) {
        const k = key as string;
        if (k in obj || undefinedKeys?.has(k)) {
          throw new CborDecodeError('duplicate_key', `duplicate map key "${k}"`);
        }
        // CBOR undefined reads as an absent field (R2); the key is remembered only for duplicate checks.
        if (value !== UNDEFINED) {
          obj[k] = value;
        } else {
          undefinedKeys ??= new Set();
          undefinedKeys.add(k);
        }
      } else if (value !== UNDEFINED) {
        entries?.push([key, value]);
      }
    }
    return obj ?? new CborMap(entries ?? []);
  }
}
