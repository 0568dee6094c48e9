import type { AuthContext, Permission } from '@less-sync/auth';
import { canonicalSpaceId } from '@less-sync/core';
import { isStorageError, type Storage } from '@less-sync/storage';
import type { SpaceAuthorizer } from '../../authz/index.js';
import { isSpaceAuthzError } from '../../authz/index.js';
import { isVisibleAscii } from '../responses.js';
import type { HttpLogger } from '../types.js';
import { type HttpFailure, hasScope, type Parsed, parseFileIds } from './headers.js';

export interface FileAuthzDeps {
  readonly authorizer: Pick<SpaceAuthorizer, 'authorize'>;
  readonly storage: Pick<Storage, 'getSpace'>;
}

const internal: HttpFailure = { status: 500, message: 'internal error' };

/**
 * FILES-03 on top of the shared space authorizer, keeping the HTTP outcomes of the reference:
 * personal space → allowed (created on first use); otherwise the space must exist and be shared
 * (else 404), then `X-UCAN` and the token's DID must be present (else 401), then the chain must hold
 * the permission and nothing in it be revoked (else 403). Differences from the reference: a JWT whose
 * personal space id names a shared space is refused (R11, 403), and a storage failure answers 500
 * instead of masquerading as 404/403 (it is logged either way).
 */
export async function authorizeFileAccess(
  deps: FileAuthzDeps,
  auth: AuthContext,
  spaceId: string,
  ucanHeader: string | undefined,
  permission: Permission,
  logger: HttpLogger,
): Promise<HttpFailure | undefined> {
  const personal = canonicalSpaceId(auth.personalSpaceId) === spaceId;
  let ucan = '';
  if (!personal) {
    try {
      const space = await deps.storage.getSpace(spaceId);
      if (space.root_public_key === undefined) return { status: 404, message: 'space not found' };
    } catch (error) {
      if (isStorageError(error, 'SpaceNotFound')) return { status: 404, message: 'space not found' };
      logger.error({ err: error, space: spaceId }, 'file authorization: space lookup failed');
      return internal;
    }
    if (ucanHeader === undefined || ucanHeader === '' || !isVisibleAscii(ucanHeader) || auth.did === '') {
      return { status: 401, message: 'authorization required' };
    }
    ucan = ucanHeader;
  }
  try {
    await deps.authorizer.authorize(auth, spaceId, ucan, permission);
    return undefined;
  } catch (error) {
    if (isSpaceAuthzError(error) && error.code === 'forbidden') {
      logger.debug({ space: spaceId, reason: error.reason }, 'file authorization refused');
      return { status: 403, message: 'access denied' };
    }
    logger.error({ err: error, space: spaceId }, 'file authorization failed');
    return internal;
  }
}

/** What every file route reads before its own work. */
export interface FileRouteRequest {
  readonly auth: AuthContext;
  readonly spaceParam: string;
  readonly fileParam: string;
  readonly headers: Headers;
  readonly logger: HttpLogger;
}

/** The start of every file route, in order: `files` scope (403), both ids (FILES-01), FILES-03. */
export async function authorizeFileRoute(
  deps: FileAuthzDeps,
  req: FileRouteRequest,
  permission: Permission,
): Promise<Parsed<{ spaceId: string; fileId: string }>> {
  if (!hasScope(req.auth.scope, 'files')) {
    return { ok: false, failure: { status: 403, message: 'files scope required' } };
  }
  const ids = parseFileIds(req.spaceParam, req.fileParam);
  if (!ids.ok) return ids;
  const ucan = req.headers.get('x-ucan') ?? undefined;
  const denied = await authorizeFileAccess(deps, req.auth, ids.value.spaceId, ucan, permission, req.logger);
  return denied ? { ok: false, failure: denied } : ids;
}
