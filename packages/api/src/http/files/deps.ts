import type { Broker } from '@less-sync/realtime';
import type { BlobStore, Storage } from '@less-sync/storage';
import type { SpaceAuthorizer } from '../../authz/index.js';
import type { KeyedLock } from './keyed-lock.js';

/** What the file routes need; the routes exist only when it is given (HTTP-01, HTTP-14). */
export interface FileRoutesDeps {
  readonly storage: Pick<
    Storage,
    'getSpace' | 'recordExists' | 'fileExists' | 'recordFile' | 'getFileMetadata'
  >;
  readonly authorizer: Pick<SpaceAuthorizer, 'authorize'>;
  readonly blobs: BlobStore;
  /** Where the `file` notification goes after a new upload (FILES-08); none when absent. */
  readonly broker?: Broker | undefined;
  /** Told how many local connections received each notification (fan-out metrics). */
  readonly onNotification?: ((method: string, delivered: number) => void) | undefined;
  /** R21 upload limit in bytes (`MAX_FILE_SIZE`). */
  readonly maxFileSize: number;
  /** An upload whose body sends nothing this long is cut off with 408 (`UPLOAD_IDLE_TIMEOUT_MS`; 0: never). */
  readonly uploadIdleTimeoutMs?: number | undefined;
  /** Told when a request hits a configured limit (the limit's variable name), for the operator's metric. */
  readonly onLimit?: ((limit: string) => void) | undefined;
  /**
   * Serialises work on one blob key. Share it with the orphan-blob sweep so a sweep never deletes a
   * blob whose upload is still being recorded. A private one is made when absent.
   */
  readonly uploadLock?: KeyedLock | undefined;
}
