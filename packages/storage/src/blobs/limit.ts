import { BlobError, type PutOptions } from './types.js';

/** Rejects a bad or over-limit declared size before a byte is read. */
export function checkDeclaredSize(options: PutOptions): void {
  const { size, maxBytes } = options;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new BlobError('size_mismatch', `invalid declared size ${size}`);
  }
  if (size > maxBytes)
    throw new BlobError('too_large', `blob of ${size} bytes exceeds the ${maxBytes}-byte limit`);
}

/** Our own errors pass; anything else thrown by the body is a `body_failed`. */
export function bodyError(error: unknown): BlobError {
  if (error instanceof BlobError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BlobError('body_failed', `upload body failed: ${message}`, { cause: error });
}

/**
 * Passes the body's chunks through while counting: fails as soon as more than `size` (or
 * `maxBytes`) bytes arrive, and at the end if fewer than `size` did. The chunk that completes
 * `size` is held back until the body has ended, so a too-long body never lets a downstream that
 * trusts Content-Length (an S3 PUT) commit its first `size` bytes. Body errors become
 * `body_failed`. Holds at most one chunk.
 */
export async function* exactSize(
  body: AsyncIterable<Uint8Array>,
  options: PutOptions,
): AsyncGenerator<Uint8Array> {
  const longer = () =>
    new BlobError('size_mismatch', `body is longer than the declared ${options.size} bytes`);
  const source = body[Symbol.asyncIterator]();
  let seen = 0;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) break;
      seen += next.value.byteLength;
      if (seen > options.maxBytes)
        throw new BlobError('too_large', `blob exceeds the ${options.maxBytes}-byte limit`);
      if (seen > options.size) throw longer();
      if (seen === options.size) {
        for (let extra = await source.next(); !extra.done; extra = await source.next()) {
          if (extra.value.byteLength > 0) throw longer();
        }
        yield next.value;
        return;
      }
      yield next.value;
    }
  } catch (error) {
    await source.return?.().catch(() => undefined);
    throw bodyError(error);
  }
  if (seen !== options.size) {
    throw new BlobError('size_mismatch', `body has ${seen} bytes, ${options.size} declared`);
  }
}
