/**
 * Per-domain store interfaces (STORE-GEN-07). The API composes the ones it needs; `Storage` is all
 * of them. Every method rejects with a `StorageError`.
 */
import type { PullStream, PullStreamOptions } from './pull-stream.js';
import type {
  AdvanceEpochOptions,
  AdvanceEpochResult,
  AppendLogResult,
  ChangeInput,
  CreatedFederationKey,
  DekRecord,
  FederationKey,
  FederationSigningKey,
  FileDekRecord,
  FileMetadata,
  FileRef,
  Invitation,
  InvitationInput,
  MemberEntryInput,
  MembersLogEntry,
  NewFederationKey,
  PushOptions,
  PushResult,
  RateLimitDecision,
  RateLimitRule,
  Space,
} from './types.js';

export interface SpacesStore {
  /** Trivial round trip, for health checks (STORE-SPACE-01). */
  ping(): Promise<void>;
  getSpace(spaceId: string): Promise<Space>;
  /** Missing ids are absent from the map (STORE-SPACE-03). */
  getSpaces(spaceIds: readonly string[]): Promise<Map<string, Space>>;
  createSpace(spaceId: string, clientId: string, rootPublicKey?: Uint8Array): Promise<Space>;
  /**
   * The caller's personal space, created on first use. Rejects with `SpaceNotPersonal` when the
   * id names a shared space (R11), so nobody reaches a shared space through a personal-space id.
   */
  getOrCreateSpace(spaceId: string, clientId: string): Promise<Space>;
  getSpaceHomeServer(spaceId: string): Promise<string | undefined>;
  setSpaceHomeServer(spaceId: string, homeServer: string): Promise<void>;
}

export interface RecordsStore {
  /** Optimistic all-or-nothing batch write; one cursor for the whole batch (STORE-REC-*). */
  push(spaceId: string, changes: readonly ChangeInput[], options?: PushOptions): Promise<PushResult>;
  /** Tombstones count unless `live` is set (R20 pre-check for uploads). */
  recordExists(spaceId: string, recordId: string, options?: { live?: boolean }): Promise<boolean>;
}

export interface PullStore {
  /** Everything after `since`, in (cursor, id) order, from one snapshot, streamed (STORE-PULL-*). */
  streamPull(spaceId: string, since: number, options?: PullStreamOptions): Promise<PullStream>;
}

export interface FilesStore {
  /** New cursor, or undefined when the file is already recorded (idempotent). */
  recordFile(
    spaceId: string,
    fileId: string,
    recordId: string,
    size: number,
    wrappedDek: Uint8Array,
  ): Promise<number | undefined>;
  getFileMetadata(spaceId: string, fileId: string): Promise<FileMetadata>;
  fileExists(spaceId: string, fileId: string): Promise<boolean>;
  getFileDeks(spaceId: string, since: number): Promise<FileDekRecord[]>;
  rewrapFileDeks(spaceId: string, deks: readonly FileDekRecord[]): Promise<void>;
  /** Removes the files of these records (as a tombstone push does); returns their ids. */
  deleteFilesForRecords(spaceId: string, recordIds: readonly string[]): Promise<string[]>;
  /**
   * Of these blob identities, the ones with no live file metadata: safe to delete (R22). Refs that
   * are not UUIDs are never reported. Mind uploads in flight (blob written, metadata not yet).
   */
  findOrphanedFiles(candidates: readonly FileRef[]): Promise<FileRef[]>;
  /** Removed files in (space, id) order after `after`, for a blob sweep that retries deletions (R22). */
  listDeletedFiles(options: { after?: FileRef; limit: number }): Promise<FileRef[]>;
}

export interface MembershipStore {
  appendMember(spaceId: string, expectedVersion: number, entry: MemberEntryInput): Promise<AppendLogResult>;
  getMembers(spaceId: string, sinceSeq: number): Promise<MembersLogEntry[]>;
}

export interface EpochStore {
  advanceEpoch(
    spaceId: string,
    requestedEpoch: number,
    options?: AdvanceEpochOptions,
  ): Promise<AdvanceEpochResult>;
  completeRewrap(spaceId: string, epoch: number): Promise<void>;
  getDeks(spaceId: string, since: number): Promise<DekRecord[]>;
  rewrapDeks(spaceId: string, deks: readonly DekRecord[]): Promise<void>;
}

export interface InvitationStore {
  createInvitation(input: InvitationInput): Promise<Invitation>;
  listInvitations(mailboxId: string, limit: number, after?: string): Promise<Invitation[]>;
  getInvitation(id: string, mailboxId: string): Promise<Invitation>;
  deleteInvitation(id: string, mailboxId: string): Promise<void>;
  /** Deletes expired invitations; returns how many (R22 job). */
  purgeExpiredInvitations(): Promise<number>;
}

export interface RevocationStore {
  isRevoked(spaceId: string, ucanCid: string): Promise<boolean>;
  revokeUcan(spaceId: string, ucanCid: string): Promise<void>;
}

export interface RateLimitStore {
  /** Actions strictly after `since` (STORE-RATE-02). */
  countRecentActions(action: string, actorHash: string, since: Date): Promise<number>;
  recordAction(action: string, actorHash: string): Promise<void>;
  /** Deletes actions strictly before `before`; returns how many (R22 job). */
  cleanupExpiredActions(before: Date): Promise<number>;
  /** Atomic check-and-record (R12): records the action only when under the limit. */
  tryRecordAction(rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Gives back the newest recorded action (the guarded operation failed after all). */
  refundAction(action: string, actorHash: string): Promise<void>;
}

export interface FederationKeyStore {
  ensureFederationKey(kid: string, privateKey: Uint8Array, publicKey: Uint8Array): Promise<void>;
  setFederationPrimaryKey(kid: string): Promise<void>;
  deactivateFederationKey(kid: string): Promise<void>;
  getFederationPrivateKey(kid: string): Promise<Uint8Array>;
  getFederationSigningKey(): Promise<FederationSigningKey | undefined>;
  listFederationPublicKeys(): Promise<FederationKey[]>;
  /**
   * R27: stores a new active key in one transaction under a table lock, so concurrent callers never
   * make two primaries or lose one. It becomes primary when no active primary exists or with
   * `promote`. An existing kid → `FederationKeyExists`, nothing stored.
   */
  createFederationKey(key: NewFederationKey): Promise<CreatedFederationKey>;
  /** Ends a key's overlap window; the primary is refused (`FederationKeyIsPrimary`), unknown → not found. */
  retireFederationKey(kid: string): Promise<void>;
}

export interface Storage
  extends SpacesStore,
    RecordsStore,
    PullStore,
    FilesStore,
    MembershipStore,
    EpochStore,
    InvitationStore,
    RevocationStore,
    RateLimitStore,
    FederationKeyStore {
  readonly backend: 'postgres' | 'pglite';
  /** Stops the Kysely instance (and the pool / PGlite when the storage owns it). */
  close(): Promise<void>;
}
