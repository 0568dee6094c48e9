/**
 * Typed storage errors (STORE-GEN-02). `kind` carries the reference's variant name and `message`
 * its display text, so the API can map errors without string matching.
 */

export interface EpochConflict {
  readonly currentEpoch: number;
  /** Set when the conflict is a pending rewrap. */
  readonly rewrapEpoch: number | undefined;
}

const MESSAGES = {
  SpaceNotFound: 'space not found',
  SpaceExists: 'space already exists',
  /** R11: a personal-space lookup found a shared space (one with a root key). */
  SpaceNotPersonal: 'space is not a personal space',
  /** A push with `expectPersonal` found no local personal space (missing, shared or remote-homed). */
  PushGuardFailed: 'space is not a local personal space',
  FileNotFound: 'file not found',
  InvitationNotFound: 'invitation not found',
  VersionConflict: 'metadata version conflict',
  HashChainBroken: 'hash chain broken',
  KeyGenerationStale: 'key generation stale',
  EpochMismatch: 'epoch mismatch',
  EpochConflict: 'epoch conflict',
  DekEpochMismatch: 'DEK epoch mismatch',
  DekRecordNotFound: 'DEK record not found',
  FileDekNotFound: 'file DEK record not found',
  /** R20: record_file on a record that is missing from the space or tombstoned. */
  RecordNotFound: 'record not found',
  FederationKeyNotFound: 'federation key not found',
  /** R27: a new key must not reuse a stored key id. */
  FederationKeyExists: 'federation key already exists',
  /** Retiring the primary would leave nothing to sign with; promote another key first. */
  FederationKeyIsPrimary: 'federation key is the primary signing key',
  InvalidRecordId: 'invalid record ID',
  DuplicateRecordId: 'duplicate record ID in push',
  BlobTooLarge: 'blob exceeds limit',
  PushRecordLimitExceeded: 'push exceeds record limit',
  PushPayloadLimitExceeded: 'push exceeds payload limit',
  InvalidWrappedDek: 'wrapped DEK must be exactly 44 bytes',
  InvalidFileSize: 'file size must be non-negative',
  /** A pull stream was read after it was closed (consumer, idle timeout or abort). */
  PullClosed: 'pull stream closed',
  Unavailable: 'storage unavailable',
  Database: 'database error',
  Migration: 'migration error',
  MissingDatabaseUrl: 'DATABASE_URL is not set',
} as const;

export type StorageErrorKind = keyof typeof MESSAGES;

function messageFor(
  kind: StorageErrorKind,
  detail: string | undefined,
  conflict: EpochConflict | undefined,
): string {
  if (kind === 'EpochConflict') {
    return conflict?.rewrapEpoch !== undefined
      ? 'epoch conflict: rewrap in progress'
      : 'epoch conflict: epoch mismatch';
  }
  return detail === undefined ? MESSAGES[kind] : `${MESSAGES[kind]}: ${detail}`;
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly kind: StorageErrorKind;
  /** Present for `EpochConflict`. */
  readonly epochConflict: EpochConflict | undefined;

  constructor(
    kind: StorageErrorKind,
    options: { detail?: string; epochConflict?: EpochConflict; cause?: unknown } = {},
  ) {
    super(messageFor(kind, options.detail, options.epochConflict), { cause: options.cause });
    this.kind = kind;
    this.epochConflict = options.epochConflict;
  }

  /** Wraps a driver/SQL failure (anything not already a StorageError) as `Database`. */
  static database(error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new StorageError('Database', { detail, cause: error });
  }
}

export function isStorageError(error: unknown, kind?: StorageErrorKind): error is StorageError {
  return error instanceof StorageError && (kind === undefined || error.kind === kind);
}

/** SQLSTATE of a pg / PGlite error, if any. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
