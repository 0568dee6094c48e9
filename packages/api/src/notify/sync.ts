import { type Int64, Payload, WsSyncDataCodec } from '@less-sync/core';
import type { Broker } from '@less-sync/realtime';
import { publishToSpace } from '@less-sync/realtime';

/** One record of a `sync` notification. A tombstone has no blob and `deleted: true`. */
export interface SyncRecord {
  /** Canonical record id (R5). */
  readonly id: string;
  readonly blob?: Uint8Array | undefined;
  readonly dek?: Uint8Array | undefined;
  readonly deleted: boolean;
}

export interface SyncNotice {
  /** Canonical space id (R5). */
  readonly space: string;
  /** The space cursor after the batch; every record carries it. */
  readonly cursor: number;
  /** The space's real key generation and pending rewrap epoch (R6). */
  readonly keyGeneration: number;
  readonly rewrapEpoch: number | undefined;
  readonly records: readonly SyncRecord[];
}

/** RPC-PUSH-3 / RT-2 `sync` params: `prev` is cursor − 1 (saturating), every record at the new cursor. */
export function syncPayload(notice: SyncNotice): Payload {
  const cursor: Int64 = notice.cursor;
  return Payload.of(WsSyncDataCodec, {
    space: notice.space,
    prev: Math.max(notice.cursor - 1, 0),
    cursor,
    key_generation: notice.keyGeneration,
    rewrap_epoch: notice.rewrapEpoch,
    records: notice.records.map((r) => ({
      id: r.id,
      blob: r.blob,
      cursor,
      dek: r.dek,
      deleted: r.deleted,
    })),
  });
}

/** Fan a `sync` out to the space's subscribers, except the connection `excludeId`. */
export function publishSync(broker: Broker, notice: SyncNotice, excludeId = ''): Promise<number> {
  return publishToSpace(broker, notice.space, 'sync', syncPayload(notice), excludeId);
}
