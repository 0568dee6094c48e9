/** Assembles every domain store over one database into the `Storage` the API uses. */
import {
  type DatabaseSource,
  type OpenDatabaseOptions,
  openDatabase,
  type StorageDatabase,
} from '../db/database.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_PULL,
  type PullDefaults,
  type StorageLimits,
  type StoreContext,
} from './context.js';
import { epochStore } from './epochs.js';
import { federationKeyStore } from './federation-keys.js';
import { filesStore } from './files.js';
import type { Storage } from './interfaces.js';
import { invitationStore } from './invitations.js';
import { membershipStore } from './membership.js';
import { pullStore } from './pull.js';
import { recordsStore } from './push.js';
import { rateLimitStore } from './rate-limits.js';
import { ReadGate } from './read-gate.js';
import { revocationStore } from './revocations.js';
import { spacesStore } from './spaces.js';

export interface StorageOptions {
  readonly limits?: Partial<StorageLimits>;
  readonly pull?: Partial<PullDefaults>;
}

/** Storage over an opened database; `close()` closes that database. */
export function createStorage(database: StorageDatabase, options: StorageOptions = {}): Storage {
  const pull = { ...DEFAULT_PULL, ...options.pull };
  const ctx: StoreContext = {
    db: database.kysely,
    backend: database.backend,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    pull,
    prepared: database.prepared,
    reads: new ReadGate(pull.maxConcurrentReads, pull.readWaitMs),
  };
  return {
    backend: database.backend,
    ...spacesStore(ctx),
    ...recordsStore(ctx),
    ...pullStore(ctx),
    ...filesStore(ctx),
    ...membershipStore(ctx),
    ...epochStore(ctx),
    ...invitationStore(ctx),
    ...revocationStore(ctx),
    ...rateLimitStore(ctx),
    ...federationKeyStore(ctx),
    close: () => database.close(),
  };
}

/**
 * Storage straight over a pool or PGlite instance (for example a `src/pg/` executor, which has the
 * same shape). The source stays open after `close()` unless `owns` is set.
 */
export function openStorage(
  source: DatabaseSource,
  options: StorageOptions & OpenDatabaseOptions = {},
): Storage {
  return createStorage(
    openDatabase(source, options.owns === undefined ? {} : { owns: options.owns }),
    options,
  );
}
