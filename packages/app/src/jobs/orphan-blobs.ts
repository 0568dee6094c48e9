import type { KeyedLock } from '@less-sync/api';
import type { BlobStore, FileRef, Storage } from '@less-sync/storage';

const KEY = /^spaces\/([0-9a-f-]{36})\/files\/([0-9a-f-]{36})$/;
/** Keys checked against the database per query. */
const BATCH = 500;

export interface OrphanSweepResult {
  readonly scanned: number;
  /** Orphans seen for the first time: deleted next run if still orphaned. */
  readonly suspected: number;
  readonly deleted: number;
}

export interface OrphanBlobSweepOptions {
  readonly storage: Pick<Storage, 'findOrphanedFiles' | 'fileExists'>;
  readonly blobs: BlobStore;
  /** The file routes' upload lock: an upload in progress is never swept under its feet. */
  readonly lock: KeyedLock;
  /** Most deletions per run (bounded work per run). */
  readonly maxDeletesPerRun?: number;
  /** Most suspects remembered between runs (bounded memory); the rest are found again next run. */
  readonly maxSuspects?: number;
}

/**
 * R22 orphan-blob sweep: a blob with no live file metadata (removed by a tombstone push whose deletion
 * failed, or left by an upload that never got recorded) is deleted when it was already orphaned on the
 * previous run, so an upload that is between its blob write and its metadata insert is never taken
 * (that window is milliseconds; runs are an hour apart). Each deletion re-checks under the upload
 * lock. Only keys of the file layout are considered.
 */
export class OrphanBlobSweep {
  private previous = new Set<string>();

  constructor(private readonly options: OrphanBlobSweepOptions) {}

  async run(signal?: AbortSignal): Promise<OrphanSweepResult> {
    const { blobs, storage, lock } = this.options;
    const maxDeletes = this.options.maxDeletesPerRun ?? 10_000;
    const maxSuspects = this.options.maxSuspects ?? 100_000;
    const current = new Set<string>();
    let scanned = 0;
    let deleted = 0;
    let batch: FileRef[] = [];

    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const orphans = await storage.findOrphanedFiles(batch);
      batch = [];
      for (const orphan of orphans) {
        const key = `spaces/${orphan.spaceId}/files/${orphan.fileId}`;
        if (!this.previous.has(key) || deleted >= maxDeletes) {
          if (current.size < maxSuspects) current.add(key);
          continue;
        }
        const removed = await lock.run(key, async () => {
          if (await storage.fileExists(orphan.spaceId, orphan.fileId)) return false;
          await blobs.delete(key);
          return true;
        });
        if (removed) deleted++;
      }
    };

    for await (const key of blobs.list('spaces/')) {
      if (signal?.aborted) break;
      const match = KEY.exec(key);
      if (!match) continue;
      scanned++;
      batch.push({ spaceId: match[1] as string, fileId: match[2] as string });
      if (batch.length >= BATCH) await flush();
    }
    if (!signal?.aborted) await flush();
    this.previous = current;
    return { scanned, suspected: current.size, deleted };
  }
}
