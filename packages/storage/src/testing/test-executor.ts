import { pgliteExecutor } from '../pg/pglite.js';
import { createPgExecutor } from '../pg/postgres.js';
import type { SqlExecutor } from '../pg/types.js';
import type { TestDatabase } from './test-database.js';

/**
 * A `SqlExecutor` inside the test database's own schema: a pool whose connections start in that
 * schema, or the PGlite instance itself. Close it before `drop()`; closing never drops the schema.
 */
export function testExecutor(db: TestDatabase, options: { max?: number } = {}): SqlExecutor {
  if (db.pglite) return pgliteExecutor(db.pglite);
  if (!db.connectionString) throw new Error('test database has neither a URL nor a PGlite instance');
  return createPgExecutor({
    connectionString: db.connectionString,
    searchPath: db.schema,
    max: options.max ?? 4,
  });
}
