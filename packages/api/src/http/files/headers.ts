import { canonicalSpaceId } from '@less-sync/core';
import { isVisibleAscii } from '../responses.js';

/** FILES-04: a wrapped DEK is exactly 44 bytes (60 base64 characters ending in one `=`). */
export const WRAPPED_DEK_BYTES = 44;

/** A rejected request: status and the JSON `error` message. */
export interface HttpFailure {
  readonly status: number;
  readonly message: string;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: HttpFailure };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(status: number, message: string): Parsed<T> => ({ ok: false, failure: { status, message } });

/** FILES-01: both ids in any spelling the lenient UUID parse accepts, canonical out; space first. */
export function parseFileIds(spaceRaw: string, fileRaw: string): Parsed<{ spaceId: string; fileId: string }> {
  const spaceId = canonicalSpaceId(spaceRaw);
  if (spaceId === undefined) return fail(400, 'invalid space ID');
  const fileId = canonicalSpaceId(fileRaw);
  if (fileId === undefined) return fail(400, 'invalid file ID');
  return ok({ spaceId, fileId });
}

/** A header as axum's `to_str` would give it: undefined when absent or not visible ASCII. */
function readable(value: string | undefined): string | undefined {
  return value !== undefined && isVisibleAscii(value) ? value : undefined;
}

/** FILES-04 step 1. */
export function parseRecordId(raw: string | undefined): Parsed<string> {
  const value = readable(raw);
  if (value === undefined) return fail(400, 'X-Record-ID header required');
  const id = canonicalSpaceId(value);
  return id === undefined ? fail(400, 'X-Record-ID must be a valid UUID') : ok(id);
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * FILES-04 step 2: standard alphabet, canonical padding, no whitespace, zero trailing bits (a value
 * that does not re-encode to itself is refused), then exactly 44 bytes.
 */
export function parseWrappedDek(raw: string | undefined): Parsed<Uint8Array> {
  const value = readable(raw);
  if (value === undefined) return fail(400, 'X-Wrapped-DEK header required');
  if (!STANDARD_BASE64.test(value)) return fail(400, 'X-Wrapped-DEK must be valid base64');
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) return fail(400, 'X-Wrapped-DEK must be valid base64');
  if (bytes.length !== WRAPPED_DEK_BYTES) return fail(400, 'X-Wrapped-DEK must decode to exactly 44 bytes');
  return ok(new Uint8Array(bytes));
}

/**
 * FILES-04 step 3 on the header alone (R21: the body is streamed afterwards and must match): missing
 * → 411, not a non-negative integer → 400, above the limit → 413.
 */
export function parseContentLength(raw: string | undefined, maxFileSize: number): Parsed<number> {
  const value = readable(raw);
  if (value === undefined) return fail(411, 'Content-Length required');
  if (!/^[0-9]+$/.test(value)) return fail(400, 'invalid Content-Length header');
  const size = Number(value);
  if (!Number.isSafeInteger(size)) return fail(413, fileTooLargeMessage(maxFileSize));
  if (size > maxFileSize) return fail(413, fileTooLargeMessage(maxFileSize));
  return ok(size);
}

const MIB = 1024 * 1024;

/** `file exceeds 100 MB limit` for the default; other limits in MB when whole, else in bytes. */
export function fileTooLargeMessage(maxFileSize: number): string {
  return maxFileSize % MIB === 0
    ? `file exceeds ${maxFileSize / MIB} MB limit`
    : `file exceeds ${maxFileSize} byte limit`;
}

/** FILES-02: the `scope` claim is a whitespace-separated list that must contain `files`. */
export function hasScope(scope: string, wanted: string): boolean {
  return scope.split(/\s+/).some((token) => token !== '' && token === wanted);
}
