import { Readable } from 'node:stream';
import type { AuthContext } from '@less-sync/auth';
import { type FileMetadata, fileBlobKey, isStorageError } from '@less-sync/storage';
import { emptyResponse, jsonError } from '../responses.js';
import type { HttpLogger } from '../types.js';
import { authorizeFileAccess } from './authorize.js';
import type { FileRoutesDeps } from './deps.js';
import { type HttpFailure, hasScope, parseFileIds } from './headers.js';

export interface GetFileRequest {
  readonly auth: AuthContext;
  readonly spaceParam: string;
  readonly fileParam: string;
  readonly headers: Headers;
  /** HEAD: headers only, the blob is not read (FILES-10). */
  readonly headOnly: boolean;
  readonly logger: HttpLogger;
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
  const { auth, logger } = req;
  if (!hasScope(auth.scope, 'files')) return jsonError(403, 'files scope required');
  const ids = parseFileIds(req.spaceParam, req.fileParam);
  if (!ids.ok) return fail(ids.failure);
  const { spaceId, fileId } = ids.value;

  const denied = await authorizeFileAccess(
    deps,
    auth,
    spaceId,
    req.headers.get('x-ucan') ?? undefined,
    'read',
    logger,
  );
  if (denied) return fail(denied.status === 404 ? NOT_FOUND : denied);

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
