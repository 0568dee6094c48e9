export {
  type DatabaseBackend,
  type DatabaseSource,
  type OpenDatabaseOptions,
  openDatabase,
  type StorageDatabase,
} from './database.js';
export { PgliteDialect } from './pglite-dialect.js';
export type * from './schema.js';
