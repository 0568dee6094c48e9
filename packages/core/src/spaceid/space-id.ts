import { formatUuid, isCanonicalUuid, parseUuid, uuidV5 } from './uuid.js';

const encoder = new TextEncoder();

/** UUIDv5(DNS, "less.so"): the namespace of personal space ids. Frozen (SPACEID-01); a test re-derives it. */
export const LESS_NAMESPACE = 'd645a70c-a29d-5167-9f86-6205c732f3ba';

/**
 * A user's personal space id: UUIDv5(LESS_NAMESPACE, issuer ␀ userId ␀ clientId), lower-case hyphenated
 * (SPACEID-02). No trimming or case folding; NUL inside a component is not escaped.
 */
export function personalSpaceId(issuer: string, userId: string, clientId: string): string {
  return uuidV5(LESS_NAMESPACE, encoder.encode(`${issuer}\0${userId}\0${clientId}`));
}

/**
 * The canonical spelling of a space (or record) id: lower-case hyphenated (R5). Accepts every spelling
 * the lenient parse does (hyphenated any case, 32-hex simple, braced, urn). Undefined if not a UUID.
 * Use it on every boundary: subscription keys, broadcasts, pull output, forwarded calls.
 */
export function canonicalSpaceId(id: string): string | undefined {
  if (isCanonicalUuid(id)) return id;
  const bytes = parseUuid(id);
  return bytes === undefined ? undefined : formatUuid(bytes);
}

/** True when two spellings name the same UUID (R5: two spellings of one UUID are one space). */
export function sameSpaceId(a: string, b: string): boolean {
  const ca = canonicalSpaceId(a);
  return ca !== undefined && ca === canonicalSpaceId(b);
}
