export { type DataDirLock, lockDataDir } from './data-dir-lock.js';
export {
  createPgliteExecutor,
  embeddedDatabaseDir,
  type OpenedPglite,
  openPglite,
  type PgliteExecutor,
  type PgliteOptions,
  pgliteExecutor,
} from './pglite.js';
export {
  createPgExecutor,
  createPgPool,
  type PgExecutor,
  type PgPoolOptions,
  pgExecutor,
} from './postgres.js';
export {
  DatabaseConfigError,
  type DatabaseConfigErrorCode,
  type PgErrorFields,
  pgErrorFields,
  type SqlBackend,
  type SqlExecutor,
  type SqlQueryable,
  type SqlResult,
  type SqlSession,
} from './types.js';
export { assertSchemaName, parseDatabaseUrl, redactDatabaseUrl, withSearchPath } from './url.js';
