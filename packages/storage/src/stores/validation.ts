/** Pure input checks shared by the stores (STORE-REC-01, STORE-EPOCH-04, STORE-GEN-05). */
import { canonicalSpaceId, isHyphenatedUuid } from '@less-sync/core';

/** Length of a wrapped DEK: 4-byte epoch + 40 bytes of key material (STORE-GEN-05). */
export const WRAPPED_DEK_LENGTH = 44;

/** Push record ids: the strict hyphenated form only (either case); returns the lowercase form. */
export function parseRecordId(id: string): string | undefined {
  return isHyphenatedUuid(id) ? id.toLowerCase() : undefined;
}

/** Lenient UUID parse (hyphenated, 32-hex, braced, `urn:uuid:`), as rewrap_deks accepts. */
export function parseUuidLenient(id: string): string | undefined {
  return canonicalSpaceId(id);
}

/** Epoch in bytes 0–3 (big-endian, signed); absent when too short or not positive. */
export function parseDekEpoch(wrappedDek: Uint8Array): number | undefined {
  if (wrappedDek.length < 4) return undefined;
  const view = new DataView(wrappedDek.buffer, wrappedDek.byteOffset, 4);
  const epoch = view.getInt32(0, false);
  return epoch > 0 ? epoch : undefined;
}
