/** Public surface of @less-sync/storage. */

// Schema and operations: SQL executors, the migration runner, blob stores.
export * from './blobs/index.js';
// Domain: typed Kysely database over pg / PGlite and every store (spaces, push, pull, files, ...).
export * from './db/index.js';
export * from './migrate/index.js';
export * from './pg/index.js';
export * from './stores/index.js';
