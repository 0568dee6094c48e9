/**
 * Strict base64 codecs (ENC-01). Node's decoders are lenient (they skip bad characters, ignore
 * padding and trailing bits), so every decode here checks the alphabet and length, then re-encodes
 * and compares, which also rejects non-canonical trailing bits.
 */

const URL_SAFE = /^[A-Za-z0-9_-]*$/;
const STANDARD_PADDED = /^[A-Za-z0-9+/]*={0,2}$/;

export class Base64Error extends Error {
  override readonly name = 'Base64Error';
}

/** URL-safe alphabet, no padding; `=`, `+`, `/`, bad lengths and stray trailing bits are errors. */
export function decodeBase64Url(input: string): Buffer {
  if (!URL_SAFE.test(input)) throw new Base64Error('invalid base64url character');
  if (input.length % 4 === 1) throw new Base64Error('invalid base64url length');
  const bytes = Buffer.from(input, 'base64url');
  if (bytes.toString('base64url') !== input) throw new Base64Error('non-canonical base64url trailing bits');
  return bytes;
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Standard alphabet with canonical padding required (the HTTP `Signature` header). */
export function decodeBase64Padded(input: string): Buffer {
  if (!STANDARD_PADDED.test(input)) throw new Base64Error('invalid base64 character');
  if (input.length % 4 !== 0) throw new Base64Error('invalid base64 padding');
  const bytes = Buffer.from(input, 'base64');
  if (bytes.toString('base64') !== input) throw new Base64Error('non-canonical base64');
  return bytes;
}

export function encodeBase64Padded(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
