/** What record DEKs (epochs.ts) and file DEKs (files.ts) share: the key-generation lock and the row form. */
import { toBytes, toInt } from '../db/values.js';
import type { Tx } from './context.js';
import { StorageError } from './errors.js';
import type { DekRecord } from './types.js';
import { parseDekEpoch } from './validation.js';

/**
 * Locks the space row for the rest of the transaction (so no epoch advance interleaves with a rewrap)
 * and returns its key generation.
 */
export async function lockKeyGeneration(trx: Tx, spaceId: string): Promise<number> {
  const space = await trx
    .selectFrom('spaces')
    .select('key_generation')
    .where('id', '=', spaceId)
    .forUpdate()
    .executeTakeFirst();
  if (!space) throw new StorageError('SpaceNotFound');
  return space.key_generation;
}

/** A rewrapped DEK must carry the space's current key generation as its epoch. */
export function checkDekEpoch(wrappedDek: Uint8Array, keyGeneration: number): void {
  if (parseDekEpoch(wrappedDek) !== keyGeneration) throw new StorageError('DekEpochMismatch');
}

/** `{id, wrapped_dek, cursor}` rows (the query keeps only rows with a DEK) as DEK records. */
export function toDekRecords(
  rows: readonly { id: string; wrapped_dek: Uint8Array | null; cursor: string | number | bigint }[],
): DekRecord[] {
  return rows.map((row) => ({
    id: row.id,
    wrappedDek: toBytes(row.wrapped_dek as Uint8Array),
    cursor: toInt(row.cursor),
  }));
}
