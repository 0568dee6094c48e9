import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { validateBlobKey, validateBlobPrefix } from './keys.js';
import { checkDeclaredSize, exactSize } from './limit.js';
import { BlobError, type BlobObject, type BlobStore, type PutOptions, type PutOutcome } from './types.js';

export interface S3BlobStoreOptions {
  /** `host[:port]` or a full `http(s)://` URL (FILES-13 normalisation). */
  endpoint: string;
  bucket: string;
  /**
   * Static credentials. Without them the SDK's standard chain is used (environment, shared config and
   * credentials files, web identity, container and instance metadata).
   */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** `bucket` in the path instead of the host name (MinIO and most self-hosted stores need it). Default false. */
  forcePathStyle?: boolean | undefined;
  /** Signing region (default `us-east-1`). */
  region?: string;
  /** Scheme for a scheme-less endpoint: https unless false. Ignored when the endpoint has a scheme. */
  useSsl?: boolean;
  /** Give up connecting after this long (default 10 s). */
  connectionTimeoutMs?: number;
  /** Abort a request whose socket stays idle this long (default 60 s). */
  requestTimeoutMs?: number;
  /** Receives the SDK's own diagnostics (default: dropped; failures reach callers as BlobError). */
  logger?: S3Logger;
}

export interface S3Logger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

const silent: S3Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** FILES-13: keep an explicit scheme; otherwise https:// when useSsl (default), http:// when not. */
export function normalizeS3Endpoint(endpoint: string, useSsl = true): string {
  const trimmed = endpoint.trim();
  if (trimmed.startsWith('http://') || trimmed.startsWith('https://')) return trimmed;
  return `${useSsl ? 'https' : 'http'}://${trimmed}`;
}

function status(error: unknown): number | undefined {
  if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode;
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function notFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return status(error) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

function backend(action: string, key: string, error: unknown): BlobError {
  if (error instanceof BlobError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof BlobError) return cause;
  const message = (error as Error)?.message || (error as { name?: string })?.name || String(error);
  return new BlobError('backend', `cannot ${action} blob ${key}: ${message}`, { cause: error });
}

/**
 * Blobs in an S3-compatible bucket: virtual-hosted addressing unless path-style is asked for (an IP
 * endpoint is always path-style), static credentials or the standard chain, keys at the bucket
 * root (FILES-13). Each blob is one streamed PUT with its exact Content-Length (no multipart, no
 * buffering), so it appears whole or not at all. Create-only uses `If-None-Match: *`.
 * Construction makes no network call.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: normalizeS3Endpoint(options.endpoint, options.useSsl ?? true),
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? false,
      logger: options.logger ?? silent,
      ...(options.accessKeyId !== undefined && options.secretAccessKey !== undefined
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 60_000,
        throwOnRequestTimeout: true,
      },
      // Checksums would need the whole body first; the size check stands in for them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions): Promise<PutOutcome> {
    validateBlobKey(key);
    checkDeclaredSize(options);
    if (!options.overwrite && (await this.exists(key))) return 'exists';
    // Readable.from pulls one chunk at a time; a body or size error aborts the request.
    const stream = Readable.from(exactSize(body, options), { objectMode: false });
    // The SDK does not notice a failing body stream by itself: abort the request when it fails.
    const abort = new AbortController();
    let bodyFailure: unknown;
    stream.once('error', (error) => {
      bodyFailure = error;
      abort.abort(error);
    });
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: stream,
          ContentLength: options.size,
          ContentType: 'application/octet-stream',
          ...(options.overwrite ? {} : { IfNoneMatch: '*' }),
        }),
        { abortSignal: abort.signal },
      );
      return 'created';
    } catch (error) {
      stream.destroy();
      if (bodyFailure) throw backend('store', key, bodyFailure);
      if (status(error) === 412 || (error as { name?: string }).name === 'PreconditionFailed')
        return 'exists';
      throw backend('store', key, error);
    }
  }

  async get(key: string): Promise<BlobObject | undefined> {
    validateBlobKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return undefined;
      return { size: Number(out.ContentLength ?? 0), body: out.Body as Readable };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw backend('read', key, error);
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    validateBlobKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: Number(out.ContentLength ?? 0) };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw backend('read', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    validateBlobKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!notFound(error)) throw backend('delete', key, error);
    }
  }

  async *list(prefix = ''): AsyncGenerator<string> {
    validateBlobPrefix(prefix);
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix || undefined,
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        throw backend('list', prefix, error);
      }
      for (const item of page.Contents ?? []) if (item.Key) yield item.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Releases the HTTP agent's sockets. */
  close(): void {
    this.client.destroy();
  }
}

export function createS3BlobStore(options: S3BlobStoreOptions): S3BlobStore {
  return new S3BlobStore(options);
}
