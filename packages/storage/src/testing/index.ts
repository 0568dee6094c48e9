/** Test support for packages that need a database. Not part of the runtime surface. */
export {
  createTestDatabase,
  newSchemaName,
  type TestDatabase,
  type TestDatabaseBackend,
  testDatabaseBackend,
} from './test-database.js';
export { testExecutor } from './test-executor.js';
export { createTestStorage, type TestStorage, type TestStorageOptions } from './test-storage.js';
