/** The `membership` notification (RPC-MEM-4, RT-2): a new membership-log entry, for the other subscribers. */
import { type FrameBody, Payload, WsMembershipDataCodec } from '@less-sync/core';

export const MEMBERSHIP_METHOD = 'membership';

export interface MembershipNoticeEntry {
  readonly chainSeq: number;
  /** Empty for a chain's first entry: the key is then left out (omit-if-empty). */
  readonly prevHash: Uint8Array;
  readonly entryHash: Uint8Array;
  readonly payload: Uint8Array;
}

/** `{space, cursor, entries:[{chain_seq, prev_hash?, entry_hash, payload}]}`; `space` is canonical (R5). */
export function membershipNotice(
  space: string,
  cursor: number,
  entries: readonly MembershipNoticeEntry[],
): FrameBody {
  return Payload.of(WsMembershipDataCodec, {
    space,
    cursor,
    entries: entries.map((entry) => ({
      chain_seq: entry.chainSeq,
      prev_hash: entry.prevHash.length > 0 ? entry.prevHash : undefined,
      entry_hash: entry.entryHash,
      payload: entry.payload,
    })),
  });
}
