/** Checks shared by deks.* and file.deks.* (RPC-DEK-1..4). */
import { type Int64, RpcError, RpcErrorCode } from '@less-sync/core';
import { WRAPPED_DEK_LENGTH } from '@less-sync/storage';

export const STALE_EPOCH_MESSAGE = 'DEK epoch does not match current key generation';

/**
 * A `since` cursor as storage takes it. Cursors never approach 2^53, so clamping an i64 beyond the safe
 * range keeps the meaning ("everything after") without sending a lossy float to the database.
 */
export function sinceCursor(since: Int64): number {
  const value = typeof since === 'bigint' ? since : BigInt(since);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (value < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(value);
}

/** A wrapped DEK is exactly 44 bytes: a 4-byte epoch and 40 bytes of wrapped key. */
export function checkWrappedDek(dek: Uint8Array): void {
  if (dek.length !== WRAPPED_DEK_LENGTH) {
    throw new RpcError(RpcErrorCode.BadRequest, 'invalid record: wrapped DEK must be exactly 44 bytes');
  }
}
