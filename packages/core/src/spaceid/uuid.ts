import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** RFC 4122 DNS namespace, the parent of the Less namespace (SPACEID-01). */
export const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SIMPLE = /^[0-9a-fA-F]{32}$/;

/**
 * Parse a UUID in any of the spellings the reference's lenient parse accepts: hyphenated, 32-hex simple,
 * `{braced}` hyphenated, or `urn:uuid:` hyphenated; any hex case. Returns the 16 bytes, or undefined.
 */
export function parseUuid(text: string): Uint8Array | undefined {
  let body = text;
  if (body.length === 38 && body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  else if (body.length === 45 && body.slice(0, 9).toLowerCase() === 'urn:uuid:') body = body.slice(9);
  let hex: string;
  if (body.length === 36 && HYPHENATED.test(body)) hex = body.replaceAll('-', '');
  else if (body.length === 32 && SIMPLE.test(body)) hex = body;
  else return undefined;
  return hexToBytes(hex);
}

/**
 * True when `text` is 36 characters with `-` at 8/13/18/23 and hex digits elsewhere: lower-case only
 * unless `anyCase`. One character loop, no regular expression or allocation (hot paths).
 */
export function isHyphenatedHex(text: string, anyCase: boolean): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (
      !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (anyCase && c >= 0x41 && c <= 0x46))
    ) {
      return false;
    }
  }
  return true;
}

/**
 * True when `text` already is the canonical spelling (lower-case hyphenated): the spelling every client
 * sends, so the hot paths return it as is instead of parsing and re-formatting it.
 */
export function isCanonicalUuid(text: string): boolean {
  return isHyphenatedHex(text, false);
}

/** Lower-case hyphenated form of 16 UUID bytes. */
export function formatUuid(bytes: Uint8Array): string {
  const h = bytesToHex(bytes.subarray(0, 16));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** UUID version 5 (SHA-1 of namespace bytes + name bytes), lower-case hyphenated. */
export function uuidV5(namespace: string, name: Uint8Array): string {
  const ns = parseUuid(namespace);
  if (ns === undefined) throw new TypeError(`invalid namespace UUID: ${namespace}`);
  // SHA-1 from @noble/hashes keeps core free of `node:` imports (it runs in browsers too).
  const hash = sha1.create().update(ns).update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(hash);
}

/** The version nibble of a parsed UUID string, or undefined when it does not parse. */
export function uuidVersion(text: string): number | undefined {
  const bytes = parseUuid(text);
  return bytes === undefined ? undefined : (bytes[6] ?? 0) >> 4;
}
