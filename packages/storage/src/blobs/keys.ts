import { canonicalSpaceId } from '@less-sync/core';
import { BlobError } from './types.js';

/** Max key length, well within S3's 1024 bytes and common file-name limits per segment. */
const MAX_KEY = 512;
/** Segments: letters, digits, `-`, `_`, `.`, not starting with `.` (no `.`/`..`, no hidden/temp names). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks a blob key: `/`-separated segments as above, no empty segment, no leading/trailing `/`,
 * no backslash, no NUL. Every key the server builds (`fileBlobKey`) passes; anything that could
 * climb out of a directory does not.
 */
export function validateBlobKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY || !key.split('/').every((s) => SEGMENT.test(s))) {
    throw new BlobError('invalid_key', `invalid blob key ${JSON.stringify(key.slice(0, 80))}`);
  }
}

/** Same as `validateBlobKey` for a prefix, which may end with `/` or be empty. */
export function validateBlobPrefix(prefix: string): void {
  if (prefix === '') return;
  validateBlobKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/**
 * FILES-12 object key: `spaces/<space uuid>/files/<file uuid>`, both lower-case hyphenated (any
 * spelling the UUID parse accepts comes in; R5 canonical form goes out).
 */
export function fileBlobKey(spaceId: string, fileId: string): string {
  const space = canonicalSpaceId(spaceId);
  const file = canonicalSpaceId(fileId);
  if (!space || !file) {
    throw new BlobError('invalid_key', `not a UUID: ${space ? fileId : spaceId}`.slice(0, 120));
  }
  return `spaces/${space}/files/${file}`;
}
