export type MigrationErrorCode =
  /** The migrations directory is unreadable or holds an inconsistent set of files. */
  | 'invalid_migration_set'
  /** A ledger row has success = false: a previous run failed half-way outside a transaction. */
  | 'dirty'
  /** The ledger records a version that has no file here. */
  | 'missing'
  /** An applied version's file changed since it was applied. */
  | 'modified'
  /** An applied version's file now has another name. */
  | 'renamed'
  /** The reference's `_sqlx_migrations` ledger holds something we cannot vouch for. */
  | 'reference_ledger'
  /** A migration's SQL failed; its transaction was rolled back. */
  | 'migration_failed'
  /** `down` reached a migration without a down script. */
  | 'irreversible'
  /** Another migrator held the advisory lock for too long. */
  | 'lock_timeout'
  /** `create` could not make the new files. */
  | 'create_failed';

/** Every runner failure: a stable `code`, a one-line message, and the migration concerned if any. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly version?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
