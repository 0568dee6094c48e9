import { canonicalSpaceId, type WsPullSpace } from '@less-sync/core';
import { pullLocal } from '../../rpc/sync/pull.js';
import { authorizeFederation } from './authorize.js';
import type { FederationContext, PeerRequestContext } from './context.js';

/**
 * FED-RPC-06: each readable space streams begin, entries, commit, exactly as for a client; a bad id or a
 * refused UCAN skips the space silently. No quota applies to pulls.
 */
export async function federationPull(
  f: FederationContext,
  entries: readonly WsPullSpace[],
  ctx: PeerRequestContext,
): Promise<Record<string, never>> {
  let records = 0;
  for (const entry of entries) {
    const id = canonicalSpaceId(entry.id);
    if (id === undefined) continue;
    try {
      await authorizeFederation(f.s, id, entry.ucan, {
        permission: 'read',
        missingRoot: 'not_found',
        requireLocalHome: false,
      });
    } catch {
      continue;
    }
    records += await pullLocal(f.s, { id }, entry, ctx);
  }
  f.s.metrics.pullRecords?.(records);
  return {};
}
