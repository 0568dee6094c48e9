/**
 * Reads a space's changes back from the database by cursor, as the notifications a subscriber would
 * have received (`sync`, `membership`, `file`). Another instance uses it when a hint did not carry the
 * frame, and after a transport gap to catch up every space its clients watch. Transport-agnostic.
 */
import { encodeNotification } from '@less-sync/core';
import type { ChangeResolver } from '@less-sync/realtime';
import type { PullEntry, Storage } from '@less-sync/storage';
import { filePayload } from '../notify/file.js';
import { MEMBERSHIP_METHOD, membershipNotice } from '../notify/membership.js';
import { type SyncRecord, syncPayload } from '../notify/sync.js';

/** Entries one catch-up reads at most; a longer gap ends early and the client's gap check pulls the rest. */
export const MAX_CATCH_UP_ENTRIES = 10_000;

type ResolverStorage = Pick<Storage, 'getSpace' | 'streamPull'>;

export function createChangeResolver(
  storage: ResolverStorage,
  maxEntries = MAX_CATCH_UP_ENTRIES,
): ChangeResolver {
  return {
    async cursor(space) {
      try {
        return Number((await storage.getSpace(space)).cursor);
      } catch {
        return 0; // Not created yet: every change is after 0.
      }
    },
    async changesSince(space, since) {
      const stream = await storage.streamPull(space, since).catch(() => undefined);
      if (stream === undefined) return { frames: [], cursor: since };
      const frames: Uint8Array[] = [];
      let group: PullEntry[] = [];
      let cursor = since;
      let read = 0;
      const flush = (): void => {
        const first = group[0];
        if (first === undefined) return;
        frames.push(...groupFrames(space, first.cursor, group, stream.meta));
        cursor = first.cursor;
        group = [];
      };
      try {
        for (let entry = await stream.next(); entry !== undefined; entry = await stream.next()) {
          if (group[0] !== undefined && group[0].cursor !== entry.cursor) flush();
          if (++read > maxEntries) return { frames, cursor };
          group.push(entry);
        }
        flush();
        return { frames, cursor: Math.max(cursor, stream.meta.cursor) };
      } finally {
        await stream.close();
      }
    },
  };
}

/** The notifications of one cursor: a push's records, a membership append, or file changes. */
function groupFrames(
  space: string,
  cursor: number,
  entries: readonly PullEntry[],
  meta: { keyGeneration: number; rewrapEpoch: number | undefined },
): Uint8Array[] {
  const records: SyncRecord[] = [];
  const members = [];
  const files = [];
  for (const e of entries) {
    if (e.kind === 'record') {
      const deleted = e.record.deleted === true;
      records.push({
        id: e.record.id,
        blob: e.record.blob ?? undefined,
        dek: e.record.dek ?? undefined,
        deleted,
      });
    } else if (e.kind === 'membership') members.push(e.member);
    else files.push(e.file);
  }
  const out: Uint8Array[] = [];
  if (members.length > 0)
    out.push(encodeNotification(MEMBERSHIP_METHOD, membershipNotice(space, cursor, members)));
  if (records.length > 0) {
    const notice = {
      space,
      cursor,
      keyGeneration: meta.keyGeneration,
      rewrapEpoch: meta.rewrapEpoch,
      records,
    };
    out.push(encodeNotification('sync', syncPayload(notice)));
  }
  if (files.length > 0) {
    const list = files.map((f) => ({
      id: f.id,
      recordId: f.recordId,
      size: f.size,
      dek: f.wrappedDek,
      deleted: f.deleted,
    }));
    out.push(encodeNotification('file', filePayload({ space, cursor, files: list })));
  }
  return out;
}
