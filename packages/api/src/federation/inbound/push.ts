import {
  canonicalSpaceId,
  Payload,
  type PushParams,
  PushRpcResultCodec,
  type PushRpcResultInit,
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import type { ChangeInput, PushResult } from '@less-sync/storage';
import { afterPush } from '../../rpc/sync/push.js';
import { pushErrorCode } from '../../rpc/sync/push-errors.js';
import { authorizeFederation, type FederationGrant, federationAuthzCode } from './authorize.js';
import type { FederationContext, PeerRequestContext } from './context.js';

const result = (value: PushRpcResultInit): Payload => Payload.of(PushRpcResultCodec, value);
const failure = (error: string): Payload => result({ ok: false, error });

/** FED-QUOTA-04: records = changes, bytes = Σ (blob + dek) lengths. */
function pushSize(params: PushParams): { records: number; bytes: number } {
  let bytes = 0;
  for (const change of params.changes) bytes += (change.blob?.length ?? 0) + (change.dek?.length ?? 0);
  return { records: params.changes.length, bytes };
}

/**
 * FED-RPC-05: write authorization (the space must be homed here), the hourly push budget, then the same
 * storage push as a client's. Outcomes travel as `{ok:false, error}` results; only the budget is an error
 * frame (`rate_limited`). B14: the budget is reserved before storage, so concurrent pushes cannot
 * overrun it, and given back when nothing was stored. The `sync` goes out after the answer, to the
 * pushing peer too (R28: its origin needs it for its other local subscribers).
 */
export async function federationPush(
  f: FederationContext,
  params: PushParams,
  ctx: PeerRequestContext,
): Promise<Payload> {
  const id = canonicalSpaceId(params.space);
  if (id === undefined) return failure('bad_request');
  const { peerDomain } = ctx.identity;
  let grant: FederationGrant;
  try {
    grant = await authorizeFederation(f.s, id, params.ucan, {
      permission: 'write',
      missingRoot: 'forbidden',
      requireLocalHome: true,
    });
  } catch (err) {
    return failure(federationAuthzCode(err));
  }
  const { records, bytes } = pushSize(params);
  const over = await f.quota.tryReservePush(peerDomain, records, bytes);
  if (over !== undefined) {
    f.metrics.quotaRejected?.(over);
    f.s.logger.warn(
      { peer: peerDomain, space: id, records, bytes, limit: over },
      'federation push quota exceeded',
    );
    throw new RpcError(RpcErrorCode.RateLimited, 'record push quota exceeded');
  }
  const changes: ChangeInput[] = params.changes.map((c) => ({
    id: c.id,
    blob: c.blob,
    cursor: c.expected_cursor,
    dek: c.dek,
  }));
  let pushed: PushResult;
  try {
    pushed = await f.s.storage.push(id, changes);
  } catch (err) {
    await f.quota.refundPush(peerDomain, records, bytes);
    const code = pushErrorCode(err);
    if (code === 'internal') f.s.logger.error({ err, space: id, peer: peerDomain }, 'federation push failed');
    return failure(code);
  }
  if (!pushed.ok) {
    await f.quota.refundPush(peerDomain, records, bytes);
    return failure('conflict');
  }
  if (changes.length > 0) {
    f.s.metrics.pushRecords?.(changes.length);
    const keys = { keyGeneration: grant.space.key_generation, rewrapEpoch: grant.space.rewrap_epoch };
    // R28: after the answer (queued when this returns), and to every subscriber including this peer's
    // socket: the origin leaves out its own pusher and delivers to its other local subscribers.
    f.s.background.run('federation post-push notification', async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await afterPush(f.s, id, keys, params, pushed, '');
      } catch (err) {
        f.s.logger.error({ err, space: id }, 'post-push notification failed');
      }
    });
  }
  return result({ ok: true, cursor: pushed.cursor });
}
