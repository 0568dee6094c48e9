/**
 * Storage domain types (STORE-GEN-03). Ids are lowercase hyphenated UUID strings; byte fields are
 * Uint8Array; cursors are numbers (the per-space counter never nears 2^53); absent optionals are
 * `undefined`.
 */

/**
 * `Space` and `Change` are the protocol's own types (PROTO-21, from @less-sync/core), as in the
 * reference, so the API can hand them to the codecs as they are. Storage always fills `cursor`
 * with a number.
 */
import type { Change, Space } from '@less-sync/core';

export type { Change, Space };

/**
 * A change as pushed: `blob` absent (or null) means tombstone; `cursor` is the expected current
 * cursor of the record (0 = create); any `deleted` flag is ignored. A core `Change` fits.
 */
export interface ChangeInput {
  readonly id: string;
  readonly blob?: Uint8Array | null | undefined;
  readonly cursor: number | bigint;
  readonly dek?: Uint8Array | null | undefined;
}

export interface PushOptions {
  /** Client's key generation; checked against min_key_generation on shared spaces when > 0. */
  readonly keyGeneration?: number;
  /**
   * Write only if the space is a local personal space (no root key, no home server), checked in the
   * statement that locks it; otherwise throw `PushGuardFailed` having written nothing.
   */
  readonly expectPersonal?: boolean;
}

export interface PushResult {
  readonly ok: boolean;
  /** The batch's new cursor; 0 when `ok` is false. */
  readonly cursor: number;
  /** Files whose metadata this push removed (tombstoned records, R19); delete their blobs after commit. */
  readonly deletedFileIds: readonly string[];
  /** The space's key generation and rewrap epoch, read under the lock; set by `expectPersonal` pushes that succeed. */
  readonly keyGeneration?: number;
  readonly rewrapEpoch?: number;
}

export interface MembersLogEntry {
  readonly spaceId: string;
  readonly chainSeq: number;
  readonly cursor: number;
  /** Empty for the first entry of a chain. */
  readonly prevHash: Uint8Array;
  readonly entryHash: Uint8Array;
  readonly payload: Uint8Array;
}

/** What append_member needs from an entry (its space, seq and cursor are assigned by storage). */
export interface MemberEntryInput {
  readonly prevHash: Uint8Array;
  readonly entryHash: Uint8Array;
  readonly payload: Uint8Array;
}

export interface AppendLogResult {
  readonly chainSeq: number;
  readonly cursor: number;
  readonly metadataVersion: number;
}

export interface FileEntry {
  readonly id: string;
  readonly recordId: string;
  readonly size: number;
  readonly deleted: boolean;
  readonly wrappedDek: Uint8Array;
  readonly cursor: number;
}

export interface FileMetadata {
  readonly id: string;
  readonly recordId: string;
  readonly size: number;
  readonly wrappedDek: Uint8Array;
  readonly cursor: number;
}

export interface FileDekRecord {
  readonly id: string;
  readonly wrappedDek: Uint8Array;
  readonly cursor: number;
}

/** A file's identity, which is also its blob's identity in the blob store. */
export interface FileRef {
  readonly spaceId: string;
  readonly fileId: string;
}

export type PullEntry =
  | { readonly kind: 'record'; readonly cursor: number; readonly record: Change }
  | { readonly kind: 'membership'; readonly cursor: number; readonly member: MembersLogEntry }
  | { readonly kind: 'file'; readonly cursor: number; readonly file: FileEntry };

export type PullEntryKind = PullEntry['kind'];

export interface PullStreamMeta {
  /** The position the client stores after this pull (may exceed every entry's cursor). */
  readonly cursor: number;
  readonly keyGeneration: number;
  readonly rewrapEpoch: number | undefined;
}

export interface PullResult {
  readonly entries: readonly PullEntry[];
  readonly recordCount: number;
  readonly cursor: number;
}

export interface AdvanceEpochOptions {
  readonly setMinKeyGeneration: boolean;
}

export interface AdvanceEpochResult {
  readonly epoch: number;
}

export interface DekRecord {
  readonly id: string;
  readonly wrappedDek: Uint8Array;
  readonly cursor: number;
}

export interface Invitation {
  readonly id: string;
  /** As stored: CHAR(64), so shorter ids come back blank-padded. */
  readonly mailboxId: string;
  readonly payload: Uint8Array;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** Microseconds since the Unix epoch (PostgreSQL precision, for RFC 3339 output). */
  readonly createdAtMicros: number;
  readonly expiresAtMicros: number;
}

export interface InvitationInput {
  readonly mailboxId: string;
  readonly payload: Uint8Array;
}

export interface FederationKey {
  readonly kid: string;
  readonly publicKey: Uint8Array;
}

export interface FederationSigningKey {
  readonly kid: string;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A key to store with `createFederationKey` (R27). */
export interface NewFederationKey extends FederationSigningKey {
  /** Make it the primary even when another key already is. */
  readonly promote: boolean;
}

export interface CreatedFederationKey {
  /** Whether the new key is now the primary signing key (first key of the database, or `promote`). */
  readonly promoted: boolean;
  /** The primary's kid after the operation. */
  readonly primaryKid: string;
}

export interface RateLimitRule {
  readonly action: string;
  readonly actorHash: string;
  /** At most this many actions per window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Actions inside the window before this attempt. */
  readonly count: number;
}
