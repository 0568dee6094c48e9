import { canonicalSpaceId, Payload, WsFileDataCodec } from '@less-sync/core';
import type { Broker } from '@less-sync/realtime';
import { publishToSpace } from '@less-sync/realtime';

/** One file in a `file` notification: an upload (size, dek) or a removal (`deleted: true`, R19). */
export interface FileNoticeEntry {
  readonly id: string;
  readonly recordId: string;
  readonly size?: number | undefined;
  readonly dek?: Uint8Array | undefined;
  readonly deleted?: boolean | undefined;
}

export interface FileNotice {
  /** Any UUID spelling; published and sent canonical (R5). */
  readonly space: string;
  readonly cursor: number;
  readonly files: readonly FileNoticeEntry[];
}

/** RT-2 `file` params `{space, cursor, files:[{id, record_id, size?, dek?, deleted?}]}`, ids canonical. */
export function filePayload(notice: FileNotice): Payload {
  return Payload.of(WsFileDataCodec, {
    space: canonicalSpaceId(notice.space) ?? notice.space,
    cursor: notice.cursor,
    files: notice.files.map((f) => ({
      id: canonicalSpaceId(f.id) ?? f.id,
      record_id: canonicalSpaceId(f.recordId) ?? f.recordId,
      size: f.size ?? 0,
      dek: f.dek,
      deleted: f.deleted ?? false,
    })),
  });
}

/**
 * Fan a `file` notification out under the canonical space id (R5). HTTP uploads exclude nobody (the
 * default); a push that removed files excludes its own connection.
 */
export function publishFile(broker: Broker, notice: FileNotice, excludeId = ''): Promise<number> {
  const space = canonicalSpaceId(notice.space) ?? notice.space;
  return publishToSpace(broker, space, 'file', filePayload(notice), excludeId);
}
