import {
  canonicalSpaceId,
  type Int64,
  Payload,
  type PullParams,
  PullParamsCodec,
  RpcError,
  WsMembershipDataCodec,
  WsPullBeginDataCodec,
  WsPullCommitDataCodec,
  WsPullFileDataCodec,
  WsPullRecordDataCodec,
  type WsPullSpace,
} from '@less-sync/core';
import type { PullEntry, PullStream } from '@less-sync/storage';
import type { AuthorizedSpace } from '../../authz/index.js';
import type { PeerTarget } from '../../deps.js';
import { isFederationCallError } from '../../federation/outbound/errors.js';
import { type ClientRequestContext, type ClientRequestRoute, defineRequest } from '../method.js';
import { releasedDuring } from '../remote-call.js';
import type { ApiServices } from '../services.js';

/** Storage cursors are numbers; a `since` beyond every cursor (or negative) is clamped, never thrown. */
function storageSince(since: Int64): number {
  if (typeof since === 'bigint') return since > 0n ? Number.MAX_SAFE_INTEGER : 0;
  return Math.max(0, since);
}

/** One stored entry as its chunk (RPC-PULL-1); ids canonical (R5). */
function entryChunk(space: string, entry: PullEntry): [string, Payload] {
  switch (entry.kind) {
    case 'record': {
      const r = entry.record;
      return [
        'pull.record',
        Payload.of(WsPullRecordDataCodec, {
          space,
          id: r.id,
          blob: r.blob,
          cursor: r.cursor,
          dek: r.dek,
          deleted: r.deleted ?? false,
        }),
      ];
    }
    case 'membership': {
      const m = entry.member;
      return [
        'pull.membership',
        Payload.of(WsMembershipDataCodec, {
          space,
          cursor: m.cursor,
          entries: [
            {
              chain_seq: m.chainSeq,
              prev_hash: m.prevHash.length === 0 ? undefined : m.prevHash,
              entry_hash: m.entryHash,
              payload: m.payload,
            },
          ],
        }),
      ];
    }
    case 'file': {
      const f = entry.file;
      return [
        'pull.file',
        Payload.of(WsPullFileDataCodec, {
          space,
          id: f.id,
          record_id: f.recordId,
          size: f.size,
          dek: f.wrappedDek,
          cursor: f.cursor,
          deleted: f.deleted,
        }),
      ];
    }
  }
}

/**
 * RPC-PULL-3 / FED-RPC-12: relay the home server's chunks unchanged. The home's error frame fails the call
 * with its own code, and no answer in time with `internal` saying so (R29); without federation (or for an
 * untyped failure) the space is skipped, never served from local storage (B3). The client's later
 * requests do not wait for the home (B8): from here on this pull is no longer ordered with them.
 */
async function pullRemote(s: ApiServices, peer: PeerTarget, entry: WsPullSpace, ctx: ClientRequestContext) {
  const federation = s.deps.federation;
  if (federation === undefined) {
    s.logger.warn({ space: entry.id, peer: peer.domain }, 'remote space but federation is off');
    return;
  }
  let chunks: Awaited<ReturnType<typeof federation.pull>>;
  try {
    chunks = await releasedDuring(ctx, () => federation.pull(peer, [entry]));
  } catch (err) {
    s.logger.warn({ err, space: entry.id, peer: peer.domain }, 'forwarded pull failed');
    if (isFederationCallError(err)) throw new RpcError(err.code, err.message);
    return;
  }
  await ctx.chunks(chunks.map((chunk) => [chunk.name, Payload.value(chunk.data)] as const));
}

/**
 * Stream one local space: begin, its entries in cursor order, commit. Chunks wait for room in the
 * outbound queue and the stream reads its next page only when asked, so a slow reader slows the database
 * reads rather than filling memory. A stream error ends the space without a commit (RPC-PULL-2).
 */
export async function pullLocal(
  s: ApiServices,
  authorized: Pick<AuthorizedSpace, 'id'>,
  entry: WsPullSpace,
  ctx: Pick<ClientRequestContext, 'chunk' | 'chunks' | 'signal'>,
): Promise<number> {
  const space = authorized.id;
  let stream: PullStream;
  try {
    stream = await s.storage.streamPull(space, storageSince(entry.since), { signal: ctx.signal });
  } catch (err) {
    s.logger.warn({ err, space }, 'pull stream could not open');
    return 0;
  }
  const { meta } = stream;
  let records = 0;
  try {
    await ctx.chunk(
      'pull.begin',
      Payload.of(WsPullBeginDataCodec, {
        space,
        prev: entry.since,
        cursor: meta.cursor,
        key_generation: meta.keyGeneration,
        rewrap_epoch: meta.rewrapEpoch,
      }),
    );
    let count = 0;
    // Page by page: the page's chunks go out as one batch (one wait, only when the queue is full) while
    // the stream reads the next page.
    for await (const page of stream.pages()) {
      const batch = new Array<[string, Payload]>(page.length);
      for (let i = 0; i < page.length; i++) {
        const item = page[i] as PullEntry;
        batch[i] = entryChunk(space, item);
        if (item.kind === 'record') records++;
      }
      await ctx.chunks(batch);
      count += page.length;
    }
    await ctx.chunk(
      'pull.commit',
      Payload.of(WsPullCommitDataCodec, { space, prev: entry.since, cursor: meta.cursor, count }),
    );
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    s.logger.error({ err, space }, 'pull stream failed');
  } finally {
    await stream.close();
  }
  return records;
}

/**
 * RPC-PULL-1..3: per space in request order, a bad id or a failed Read authorization skips the space
 * silently; the terminal result `{_chunks}` counts every chunk sent. A pull over the per-connection or
 * per-user bound waits for a slot, then answers `rate_limited`.
 */
export function pullMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(
    PullParamsCodec,
    'invalid pull params',
    async (params, ctx) => {
      const { auth } = ctx.identity;
      const release = await s.pullSlots.acquire(
        ctx.connectionId,
        `${auth.issuer}\n${auth.userId}`,
        ctx.signal,
      );
      try {
        return await pullSpaces(s, params, ctx);
      } finally {
        release();
      }
    },
    { chunked: true },
  );
}

async function pullSpaces(s: ApiServices, params: PullParams, ctx: ClientRequestContext) {
  let records = 0;
  for (const entry of params.spaces) {
    const id = canonicalSpaceId(entry.id);
    if (id === undefined) continue;
    let authorized: AuthorizedSpace;
    try {
      authorized = await s.authz.authorize(ctx.identity.auth, id, entry.ucan, 'read');
    } catch {
      continue;
    }
    if (authorized.remote !== undefined) await pullRemote(s, authorized.remote, entry, ctx);
    else records += await pullLocal(s, authorized, entry, ctx);
  }
  s.metrics.pullRecords?.(records);
  return {};
}
