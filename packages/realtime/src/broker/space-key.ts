import { canonicalSpaceId } from '@less-sync/core';

/**
 * The key a space is indexed under (R5): the canonical lower-case hyphenated UUID, so two spellings of one
 * UUID (upper case, or the 32-hex simple form the reference used for HTTP file broadcasts) are one space.
 * A string that is not a UUID is kept as it is: callers validate space ids before they reach the broker,
 * and such a key (tests, federation-internal names) must still round-trip exactly.
 */
export function spaceKey(space: string): string {
  return canonicalSpaceId(space) ?? space;
}
