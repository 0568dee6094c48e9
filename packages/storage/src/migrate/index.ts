export { MigrationError, type MigrationErrorCode } from './errors.js';
export {
  createMigration,
  defaultMigrationsDir,
  loadMigrations,
  type Migration,
  type MigrationSet,
  migrationSlug,
} from './files.js';
export type { MigrationState, MigrationStatus } from './inspect.js';
export { LEDGER_TABLE } from './ledger.js';
export { advisoryLockKey } from './lock.js';
export { REFERENCE_LEDGER_TABLE, REFERENCE_MIGRATIONS, type ReferenceMigration } from './reference.js';
export {
  type MigrateOptions,
  type MigrateResult,
  type MigrationDirection,
  type MigrationSource,
  type MigrationStep,
  migrate,
  migrationStatus,
  type SchemaVersion,
  schemaVersion,
} from './runner.js';
