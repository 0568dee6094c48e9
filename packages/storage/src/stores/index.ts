export { DEFAULT_LIMITS, DEFAULT_PULL, type PullDefaults, type StorageLimits } from './context.js';
export { type EpochConflict, isStorageError, StorageError, type StorageErrorKind } from './errors.js';
export type {
  EpochStore,
  FederationKeyStore,
  FilesStore,
  InvitationStore,
  MembershipStore,
  PullStore,
  RateLimitStore,
  RecordsStore,
  RevocationStore,
  SpacesStore,
  Storage,
} from './interfaces.js';
export {
  type PullStream,
  type PullStreamOptions,
  pullFiles,
  pullMembers,
  pullRecords,
} from './pull-stream.js';
export { rateLimitHash } from './rate-limits.js';
export { createStorage, openStorage, type StorageOptions } from './storage.js';
export type * from './types.js';
export { parseDekEpoch, WRAPPED_DEK_LENGTH } from './validation.js';
