/**
 * Unsigned LEB128 as the reference reads multicodec prefixes (DIDKEY-02): at most 10 bytes are
 * examined, bits beyond 64 are dropped, and non-minimal encodings are accepted. multiformats'
 * varint has different limits and errors, hence this small copy of the rules.
 */

const U64_MASK = (1n << 64n) - 1n;
const MAX_BYTES = 10;

/** Returns [value, bytes used], or the reason it failed: "too long" or "truncated". */
export function decodeVarint(bytes: Uint8Array): [bigint, number] | 'too long' | 'truncated' {
  let value = 0n;
  let shift = 0n;
  for (let index = 0; index < bytes.byteLength; index++) {
    if (index >= MAX_BYTES) return 'too long';
    const byte = bytes[index] as number;
    value = (value | (BigInt(byte & 0x7f) << shift)) & U64_MASK;
    if ((byte & 0x80) === 0) return [value, index + 1];
    shift += 7n;
  }
  return 'truncated';
}

/** Minimal encoding (0x1200 → 0x80 0x24, 0 → 0x00). */
export function encodeVarint(value: bigint): Uint8Array {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest !== 0n) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0n);
  return Uint8Array.from(out);
}
