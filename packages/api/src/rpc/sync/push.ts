import type { AuthContext } from '@less-sync/auth';
import {
  canonicalSpaceId,
  Payload,
  type PushParams,
  PushParamsCodec,
  PushRpcResultCodec,
  type PushRpcResultInit,
} from '@less-sync/core';
import { type ChangeInput, fileBlobKey, isStorageError, type PushResult } from '@less-sync/storage';
import { type AuthorizedSpace, authzErrorCode } from '../../authz/index.js';
import type { PeerTarget } from '../../deps.js';
import { isFederationCallError } from '../../federation/outbound/errors.js';
import { type FileNoticeEntry, publishFile } from '../../notify/file.js';
import { publishSync } from '../../notify/sync.js';
import { type ClientRequestContext, type ClientRequestRoute, defineRequest } from '../method.js';
import { releasedDuring } from '../remote-call.js';
import type { ApiServices } from '../services.js';
import { pushErrorCode } from './push-errors.js';

const result = (value: PushRpcResultInit): Payload => Payload.of(PushRpcResultCodec, value);
const failure = (error: string): Payload => result({ ok: false, error });

/**
 * RPC-PUSH-2 / FED-RPC-11: the home server answers. Its error frame is relayed with its own code (R29,
 * `rate_limited` stays `rate_limited`); no answer in time is `internal` at once (retrying could write
 * twice); a dropped link triggers a subscription restore and a single retry. Never a local write (B3).
 * The client's later requests do not wait for the home's answer (B8, `releasedDuring`).
 */
async function forwardPush(
  s: ApiServices,
  peer: PeerTarget,
  params: PushParams,
  ctx: ClientRequestContext,
): Promise<Payload> {
  const federation = s.deps.federation;
  if (federation === undefined) {
    s.logger.warn({ space: params.space, peer: peer.domain }, 'remote space but federation is off');
    return failure('internal');
  }
  const context = { connectionId: ctx.connectionId };
  try {
    return result(await releasedDuring(ctx, () => federation.forwardPush(peer, params, context)));
  } catch (first) {
    if (isFederationCallError(first) && first.kind !== 'unavailable') {
      s.logger.warn({ err: first, peer: peer.domain }, 'forwarded push failed');
      return failure(first.kind === 'remote' ? first.code : 'internal');
    }
    s.logger.warn({ err: first, peer: peer.domain }, 'forwarded push failed; restoring and retrying');
    await federation.restoreSubscriptions(peer).catch(() => undefined);
    try {
      return result(await federation.forwardPush(peer, params, context));
    } catch (err) {
      s.logger.warn({ err, peer: peer.domain }, 'forwarded push failed twice');
      return failure(isFederationCallError(err) && err.kind === 'remote' ? err.code : 'internal');
    }
  }
}

/**
 * R19: which records the removed files belonged to. Storage reports only file ids; with a single tombstone
 * in the batch the answer is that record, otherwise the batch's (soft-deleted) file rows are read back.
 */
async function removedFiles(
  s: ApiServices,
  spaceId: string,
  cursor: number,
  fileIds: readonly string[],
  tombstones: readonly string[],
): Promise<FileNoticeEntry[]> {
  const only = tombstones.length === 1 ? tombstones[0] : undefined;
  if (only !== undefined) return fileIds.map((id) => ({ id, recordId: only, deleted: true }));
  const wanted = new Set(fileIds);
  const found: FileNoticeEntry[] = [];
  const stream = await s.storage.streamPull(spaceId, cursor - 1);
  for await (const entry of stream) {
    if (entry.cursor > cursor) break;
    if (entry.kind === 'file' && wanted.has(entry.file.id)) {
      found.push({ id: entry.file.id, recordId: entry.file.recordId, deleted: true });
    }
  }
  return found;
}

/** The space's key generation and rewrap epoch, as the `sync` notification carries them (R6). */
export interface SpaceKeys {
  readonly keyGeneration: number;
  readonly rewrapEpoch: number | undefined;
}

/**
 * After commit: tell the other subscribers (R5, R6, R19) and delete removed blobs in the background.
 * Shared with the federation push (FED-RPC-05 step 6).
 */
export async function afterPush(
  s: ApiServices,
  spaceId: string,
  keys: SpaceKeys,
  params: PushParams,
  pushed: PushResult,
  excludeId: string,
): Promise<void> {
  // Nobody else listens (a single-device user, one instance): no frame to build, only blobs to delete.
  // Asked here, when the broadcast would start, so a subscriber registered since the commit still counts.
  if (s.broker.hasAudience(spaceId, excludeId)) await notifyPush(s, spaceId, keys, params, pushed, excludeId);
  deleteRemovedBlobs(s, spaceId, pushed.deletedFileIds);
}

async function notifyPush(
  s: ApiServices,
  spaceId: string,
  keys: SpaceKeys,
  params: PushParams,
  pushed: PushResult,
  excludeId: string,
): Promise<void> {
  const records = params.changes.map((change) => ({
    id: canonicalSpaceId(change.id) ?? change.id,
    blob: change.blob,
    dek: change.dek,
    deleted: change.blob === undefined,
  }));
  const delivered = await publishSync(
    s.broker,
    {
      space: spaceId,
      cursor: pushed.cursor,
      keyGeneration: keys.keyGeneration,
      rewrapEpoch: keys.rewrapEpoch,
      records,
    },
    excludeId,
  );
  s.metrics.notification?.('sync', delivered);
  if (pushed.deletedFileIds.length === 0) return;
  const tombstones = records.filter((r) => r.deleted).map((r) => r.id);
  const files = await removedFiles(s, spaceId, pushed.cursor, pushed.deletedFileIds, tombstones);
  // Publish first: an optional-call's arguments are not evaluated when the hook is absent.
  const filesDelivered = await publishFile(
    s.broker,
    { space: spaceId, cursor: pushed.cursor, files },
    excludeId,
  );
  s.metrics.notification?.('file', filesDelivered);
}

/** R22: removed files' blobs go in the background, each under the upload lock. */
function deleteRemovedBlobs(s: ApiServices, spaceId: string, deletedFileIds: readonly string[]): void {
  if (deletedFileIds.length === 0) return;
  const blobs = s.deps.blobs;
  if (blobs === undefined) return;
  const ids = [...deletedFileIds];
  const lock = s.deps.uploadLock;
  // A failed delete stays listed by storage's deleted-file listing, which the sweep retries (R22).
  s.background.run('delete removed file blobs', async () => {
    for (const id of ids) {
      const key = fileBlobKey(spaceId, id);
      // Under the upload lock, and only if nobody re-uploaded the file meanwhile.
      const remove = async () => {
        if (!(await s.storage.fileExists(spaceId, id))) await blobs.delete(key);
      };
      await (lock === undefined ? remove() : lock.run(key, remove));
    }
  });
}

type PushOutcome = { readonly pushed: PushResult; readonly keys: SpaceKeys } | Payload;

/**
 * R11 fast path for the caller's own personal space: storage checks "local personal space" in the
 * statement that locks it, so no separate authorization read. `undefined` when that check (or a
 * pre-database validation, whose answer must not precede the authorizer's) leaves the question open:
 * nothing was written and the caller takes the full path.
 */
async function pushOwnPersonal(
  s: ApiServices,
  id: string,
  changes: readonly ChangeInput[],
): Promise<PushOutcome | undefined> {
  let pushed: PushResult;
  try {
    pushed = await s.storage.push(id, changes, { expectPersonal: true });
  } catch (err) {
    if (isStorageError(err) && err.kind !== 'Database' && err.kind !== 'Unavailable') return undefined;
    s.logger.error({ err, space: id }, 'push failed');
    return failure('internal');
  }
  // A successful guarded push always reports the keys it read under the lock; a conflict uses none.
  return { pushed, keys: { keyGeneration: pushed.keyGeneration ?? 0, rewrapEpoch: pushed.rewrapEpoch } };
}

/** RPC-AUTHZ-*: today's path: authorize (get-or-create, R11 refusal, home server), forward or push. */
async function pushAuthorized(
  s: ApiServices,
  id: string,
  params: PushParams,
  changes: readonly ChangeInput[],
  auth: AuthContext,
  ctx: ClientRequestContext,
): Promise<PushOutcome> {
  let authorized: AuthorizedSpace;
  try {
    authorized = await s.authz.authorize(auth, id, params.ucan, 'write');
  } catch (err) {
    return failure(authzErrorCode(err));
  }
  if (authorized.remote !== undefined) return forwardPush(s, authorized.remote, params, ctx);
  let pushed: PushResult;
  try {
    pushed = await s.storage.push(id, changes);
  } catch (err) {
    const code = pushErrorCode(err);
    if (code === 'internal') s.logger.error({ err, space: id }, 'push failed');
    return failure(code);
  }
  const { space } = authorized;
  return { pushed, keys: { keyGeneration: space.key_generation, rewrapEpoch: space.rewrap_epoch } };
}

/** RPC-PUSH-1..3: errors travel inside a successful `{ok:false, error}` result, except invalid params. */
export function pushMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(PushParamsCodec, 'invalid push params', async (params, ctx) => {
    const id = canonicalSpaceId(params.space);
    if (id === undefined) return failure('bad_request');
    const auth = ctx.identity.auth;
    const changes: ChangeInput[] = params.changes.map((c) => ({
      id: c.id,
      blob: c.blob,
      cursor: c.expected_cursor,
      dek: c.dek,
    }));
    const own = canonicalSpaceId(auth.personalSpaceId) === id;
    const outcome =
      (own ? await pushOwnPersonal(s, id, changes) : undefined) ??
      (await pushAuthorized(s, id, params, changes, auth, ctx));
    if (outcome instanceof Payload) return outcome;
    const { pushed, keys } = outcome;
    if (!pushed.ok) return failure('conflict');
    if (changes.length > 0) {
      s.metrics.pushRecords?.(changes.length);
      const excludeId = ctx.connectionId;
      // RPC-PUSH-3: the pusher's response is queued when this handler returns, before the next turn,
      // so the broadcast starts only after it (and never delays it, whatever the subscriber count).
      s.background.run('post-push notification', async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        try {
          await afterPush(s, id, keys, params, pushed, excludeId);
        } catch (err) {
          // The write is committed: the pusher already has its cursor.
          s.logger.error({ err, space: id }, 'post-push notification failed');
        }
      });
    }
    return result({ ok: true, cursor: pushed.cursor });
  });
}
