import type { Readable } from 'node:stream';

export type BlobErrorCode =
  /** The key is not a valid blob key (see `validateBlobKey`). */
  | 'invalid_key'
  /** The declared or streamed size exceeds the limit. */
  | 'too_large'
  /** The body did not have the declared number of bytes. */
  | 'size_mismatch'
  /** The body stream itself failed (e.g. the client went away). */
  | 'body_failed'
  /** The disk or the object store failed. */
  | 'backend';

export class BlobError extends Error {
  override readonly name = 'BlobError';
  constructor(
    readonly code: BlobErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface PutOptions {
  /** Exact number of bytes the body carries (the request's Content-Length). */
  size: number;
  /** Refuse bodies larger than this (`too_large`), before reading when `size` already exceeds it. */
  maxBytes: number;
  /**
   * false (default): create-only, an existing blob is kept and `put` resolves `exists`.
   * true: replace an existing blob atomically (readers see the old or the new bytes, never a mix).
   */
  overwrite?: boolean;
}

export type PutOutcome = 'created' | 'exists';

export interface BlobObject {
  readonly size: number;
  /** The bytes, streamed. The caller must consume or destroy it. */
  readonly body: Readable;
}

/**
 * Where file bytes live (FILES-12/13). Every write is all-or-nothing: a blob is either absent or
 * complete, whatever happens to the writer half-way (R21). Nothing is buffered whole in memory.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions): Promise<PutOutcome>;
  /** The blob as a stream, or undefined when absent. */
  get(key: string): Promise<BlobObject | undefined>;
  /** The blob's size, or undefined when absent. */
  head(key: string): Promise<{ size: number } | undefined>;
  exists(key: string): Promise<boolean>;
  /** Removes the blob; absent is fine. */
  delete(key: string): Promise<void>;
  /** Keys under `prefix` (e.g. `spaces/<id>/`), for sweeps. Order unspecified. */
  list(prefix?: string): AsyncIterable<string>;
}
