import { Readable } from 'node:stream';
import { type FileMetadata, fileBlobKey, isStorageError } from '@less-sync/storage';
import { emptyResponse, jsonError } from '../responses.js';
import { authorizeFileRoute, type FileRouteRequest } from './authorize.js';
import type { FileRoutesDeps } from './deps.js';
import type { HttpFailure } from './headers.js';

export interface GetFileRequest extends FileRouteRequest {
  /** HEAD: headers only, the blob is not read (FILES-10). */
  readonly headOnly: boolean;
}

const NOT_FOUND: HttpFailure = { status: 404, message: 'file not found' };
const INTERNAL: HttpFailure = { status: 500, message: 'internal error' };
const fail = (f: HttpFailure): Response => jsonError(f.status, f.message);

/** FILES-11: the same headers for GET and HEAD; Content-Length is the recorded size. */
function fileHeaders(fileId: string, metadata: FileMetadata): Record<string, string> {
  return {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(metadata.size),
    ETag: `"${fileId}"`,
    'X-Wrapped-DEK': Buffer.from(metadata.wrappedDek).toString('base64'),
  };
}

/**
 * `GET`/`HEAD /api/v1/spaces/{space_id}/files/{id}` (FILES-09/10/11): scope, ids, read authorization
 * (a 404 there reads `file not found`), metadata, then (GET) the blob, streamed.
 */
export async function getFile(deps: FileRoutesDeps, req: GetFileRequest): Promise<Response> {
  const { logger } = req;
  const route = await authorizeFileRoute(deps, req, 'read');
  // A space the caller cannot see reads as a missing file here.
  if (!route.ok) return fail(route.failure.status === 404 ? NOT_FOUND : route.failure);
  const { spaceId, fileId } = route.value;

  let metadata: FileMetadata;
  try {
    metadata = await deps.storage.getFileMetadata(spaceId, fileId);
  } catch (error) {
    if (isStorageError(error, 'FileNotFound')) return fail(NOT_FOUND);
    logger.error({ err: error, space: spaceId, file: fileId }, 'file read: metadata lookup failed');
    return fail(INTERNAL);
  }
  const headers = fileHeaders(fileId, metadata);
  if (req.headOnly) return emptyResponse(200, headers);

  const key = fileBlobKey(spaceId, fileId);
  let blob: Awaited<ReturnType<typeof deps.blobs.get>>;
  try {
    blob = await deps.blobs.get(key);
  } catch (error) {
    logger.error({ err: error, key }, 'file read: blob read failed');
    return fail(INTERNAL);
  }
  if (blob === undefined) return fail(NOT_FOUND);
  if (blob.size !== metadata.size) {
    // Sending it would break the declared Content-Length mid-response.
    blob.body.destroy();
    logger.error(
      { key, recorded: metadata.size, stored: blob.size },
      'file read: blob size differs from metadata',
    );
    return fail(INTERNAL);
  }
  const body = Readable.toWeb(blob.body) as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers });
}
