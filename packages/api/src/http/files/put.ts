import { BlobError, fileBlobKey, isStorageError } from '@less-sync/storage';
import { publishFile } from '../../notify/index.js';
import { emptyResponse, jsonError } from '../responses.js';
import type { HttpLogger } from '../types.js';
import { authorizeFileRoute, type FileRouteRequest } from './authorize.js';
import { bodyChunks } from './body.js';
import type { FileRoutesDeps } from './deps.js';
import {
  fileTooLargeMessage,
  type HttpFailure,
  parseContentLength,
  parseRecordId,
  parseWrappedDek,
} from './headers.js';
import type { KeyedLock } from './keyed-lock.js';

export interface PutFileRequest extends FileRouteRequest {
  readonly body: ReadableStream<Uint8Array> | null;
}

const fail = (f: HttpFailure): Response => jsonError(f.status, f.message);
const MISMATCH: HttpFailure = { status: 400, message: 'Content-Length does not match request body length' };
const RECORD_NOT_FOUND: HttpFailure = { status: 400, message: 'record not found in this space' };
const INTERNAL: HttpFailure = { status: 500, message: 'internal error' };
const UPLOAD_STALLED: HttpFailure = {
  status: 408,
  message: 'upload stalled: no data within the idle timeout',
};

/**
 * `PUT /api/v1/spaces/{space_id}/files/{id}` (FILES-02/01/03/04/06/07/08 in that order, R20, R21).
 * Every check runs on headers before a body byte is read; the body is then streamed to the blob store
 * with the declared length enforced. Whether the upload already happened is decided by the metadata
 * row, so a retry after a half-finished upload (blob written, metadata not) completes it.
 */
export async function putFile(deps: FileRoutesDeps, lock: KeyedLock, req: PutFileRequest): Promise<Response> {
  const { headers, logger } = req;
  const route = await authorizeFileRoute(deps, req, 'write');
  if (!route.ok) return fail(route.failure);
  const { spaceId, fileId } = route.value;

  const recordId = parseRecordId(headers.get('x-record-id') ?? undefined);
  if (!recordId.ok) return fail(recordId.failure);
  const dek = parseWrappedDek(headers.get('x-wrapped-dek') ?? undefined);
  if (!dek.ok) return fail(dek.failure);
  const size = parseContentLength(headers.get('content-length') ?? undefined, deps.maxFileSize);
  if (!size.ok) return fail(size.failure);

  // R20: only a live record of this space may own a file.
  try {
    if (!(await deps.storage.recordExists(spaceId, recordId.value, { live: true })))
      return fail(RECORD_NOT_FOUND);
  } catch (error) {
    logger.error({ err: error, space: spaceId }, 'file upload: record lookup failed');
    return fail(INTERNAL);
  }

  const key = fileBlobKey(spaceId, fileId);
  return lock.run(key, async () => {
    try {
      if (await deps.storage.fileExists(spaceId, fileId)) return emptyResponse(204);
    } catch (error) {
      logger.error({ err: error, space: spaceId, file: fileId }, 'file upload: metadata lookup failed');
      return fail(INTERNAL);
    }

    // No metadata row: any blob under the key is a leftover of an unfinished upload, so replace it.
    const stall = { stalled: false };
    try {
      await deps.blobs.put(key, bodyChunks(req.body, deps.uploadIdleTimeoutMs ?? 0, stall), {
        size: size.value,
        maxBytes: deps.maxFileSize,
        overwrite: true,
      });
    } catch (error) {
      if (stall.stalled) {
        deps.onLimit?.('UPLOAD_IDLE_TIMEOUT_MS');
        logger.info({ key }, 'file upload: body stalled; cut off');
        return fail(UPLOAD_STALLED);
      }
      return fail(blobFailure(error, deps.maxFileSize, logger, key));
    }

    let cursor: number | undefined;
    try {
      cursor = await deps.storage.recordFile(spaceId, fileId, recordId.value, size.value, dek.value);
    } catch (error) {
      if (isStorageError(error, 'RecordNotFound')) {
        // The record was tombstoned meanwhile; the transaction rolled back, so the blob is ours to drop.
        await deps.blobs.delete(key).catch(() => undefined);
        return fail(RECORD_NOT_FOUND);
      }
      logger.error({ err: error, space: spaceId, file: fileId }, 'file upload: recording metadata failed');
      return fail(INTERNAL);
    }
    if (cursor === undefined) return emptyResponse(204);

    if (deps.broker) {
      try {
        const delivered = await publishFile(deps.broker, {
          space: spaceId,
          cursor,
          files: [{ id: fileId, recordId: recordId.value, size: size.value, dek: dek.value }],
        });
        deps.onNotification?.('file', delivered);
      } catch (error) {
        logger.warn({ err: error, space: spaceId }, 'file upload: notification failed');
      }
    }
    return emptyResponse(201);
  });
}

function blobFailure(error: unknown, maxFileSize: number, logger: HttpLogger, key: string): HttpFailure {
  if (error instanceof BlobError) {
    if (error.code === 'too_large') return { status: 413, message: fileTooLargeMessage(maxFileSize) };
    if (error.code === 'size_mismatch' || error.code === 'body_failed') {
      logger.info({ key, reason: error.message }, 'file upload: body did not match Content-Length');
      return MISMATCH;
    }
  }
  logger.error({ err: error, key }, 'file upload: storing the blob failed');
  return INTERNAL;
}
