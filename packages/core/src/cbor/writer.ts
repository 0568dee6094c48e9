import { CborEncodeError } from './errors.js';

const MAJOR_UINT = 0;
const MAJOR_NEGINT = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;

const TWO_POW_32 = 0x1_0000_0000;
const U64_LIMIT = 1n << 64n;
const textEncoder = new TextEncoder();

/**
 * Appends canonical-reference CBOR to a growable buffer: shortest heads, definite lengths, f64 floats
 * (PROTO-04). One writer serves one encode call; `finish()` returns an exactly-sized copy.
 */
export class CborWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far (frame boundaries when several frames share one buffer). */
  get length(): number {
    return this.pos;
  }

  /** Bytes written so far, copied out; the writer is reset for reuse. */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** Drop the buffer when one huge frame made it grow, so a reused writer does not pin memory. */
  shrinkTo(maxRetained: number): void {
    if (this.buf.length > maxRetained) {
      this.buf = new Uint8Array(256);
      this.view = new DataView(this.buf.buffer);
    }
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** A head with a non-negative safe-integer argument, in its shortest form. */
  head(major: number, n: number): void {
    const m = major << 5;
    this.ensure(9);
    const b = this.buf;
    if (n < 24) {
      b[this.pos++] = m | n;
    } else if (n < 0x100) {
      b[this.pos++] = m | 24;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = m | 25;
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else if (n < TWO_POW_32) {
      b[this.pos++] = m | 26;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    } else {
      b[this.pos++] = m | 27;
      this.view.setUint32(this.pos, Math.floor(n / TWO_POW_32));
      this.view.setUint32(this.pos + 4, n >>> 0);
      this.pos += 8;
    }
  }

  /** A safe integer (caller guarantees `Number.isSafeInteger`). */
  int(value: number): void {
    if (value >= 0) this.head(MAJOR_UINT, value);
    else this.head(MAJOR_NEGINT, -1 - value);
  }

  /** Any integer in the CBOR range [-2^64, 2^64 - 1]. */
  bigint(value: bigint): void {
    const negative = value < 0n;
    const arg = negative ? -1n - value : value;
    if (arg >= U64_LIMIT) {
      throw new CborEncodeError('integer_range', `integer ${value} is outside the CBOR 64-bit range`);
    }
    const major = negative ? MAJOR_NEGINT : MAJOR_UINT;
    if (arg <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.head(major, Number(arg));
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = (major << 5) | 27;
    this.view.setBigUint64(this.pos, arg);
    this.pos += 8;
  }

  float64(value: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xfb;
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 0xf5 : 0xf4;
  }

  null(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0xf6;
  }

  bytes(value: Uint8Array): void {
    this.head(MAJOR_BYTES, value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  text(value: string): void {
    const len = value.length;
    // Fast path: ASCII strings (every protocol key and most ids) are written without TextEncoder.
    const start = this.pos;
    this.head(MAJOR_TEXT, len);
    this.ensure(len);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        this.textUtf8(value);
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  private textUtf8(value: string): void {
    const encoded = textEncoder.encode(value);
    this.head(MAJOR_TEXT, encoded.length);
    this.raw(encoded);
  }

  arrayHead(length: number): void {
    this.head(MAJOR_ARRAY, length);
  }

  mapHead(length: number): void {
    this.head(MAJOR_MAP, length);
  }

  /** Pre-encoded CBOR (e.g. a cached map key). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}
