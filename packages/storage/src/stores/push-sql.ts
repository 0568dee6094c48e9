/**
 * The SQL text of the push hot path, written out once instead of built per call (push is the
 * hottest write; the benchmark floor sends these same strings with plain `pg`).
 */

/** $1 space. Bumping the cursor row-locks the space for the rest of the transaction. */
export const LOCK_AND_BUMP_SQL =
  'UPDATE spaces SET cursor = cursor + 1 WHERE id = $1 RETURNING cursor, root_public_key IS NOT NULL AS shared, min_key_generation';

/**
 * $1 space. The guarded lock of a push to the caller's own personal space (R11): only a local personal
 * row (no root key, no home server) is bumped, in the same statement, so access and lock are one round
 * trip. No row means "ask the authorizer" (missing, shared or homed elsewhere). Personal spaces have no
 * key-generation gate (STORE-REC-02), so `min_key_generation` is not needed.
 */
export const LOCK_AND_BUMP_PERSONAL_SQL =
  'UPDATE spaces SET cursor = cursor + 1 WHERE id = $1 AND root_public_key IS NULL AND home_server IS NULL RETURNING cursor, key_generation, rewrap_epoch';

/** $1 space. The empty-push form of the guard: waits for in-flight writers, bumps nothing. */
export const READ_PERSONAL_FOR_UPDATE_SQL =
  'SELECT cursor, key_generation, rewrap_epoch FROM spaces WHERE id = $1 AND root_public_key IS NULL AND home_server IS NULL FOR UPDATE';

/** $1 space, $2 cursor, $3 record ids (uuid[]): soft-delete the files of tombstoned records. */
export const REMOVE_FILES_SQL =
  'UPDATE files SET deleted = true, cursor = $2 WHERE space_id = $1 AND record_id = ANY($3::uuid[]) AND NOT deleted RETURNING id';

/** Per row: id, blob, dek, deleted; after the shared $1 space and $2 cursor. */
export function insertRecordsSql(rows: number): string {
  const values: string[] = [];
  for (let i = 0, p = 3; i < rows; i += 1, p += 4) {
    values.push(`($${p}, $1, $${p + 1}, $2, $${p + 2}, $${p + 3})`);
  }
  return `INSERT INTO records (id, space_id, blob, cursor, wrapped_dek, deleted) VALUES ${values.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`;
}

/** Per row: id, expected cursor, blob, dek, deleted; after the shared $1 space and $2 cursor. */
export function updateRecordsSql(rows: number): string {
  const values: string[] = [];
  for (let i = 0, p = 3; i < rows; i += 1, p += 5) {
    values.push(`($${p}::uuid, $${p + 1}::bigint, $${p + 2}::bytea, $${p + 3}::bytea, $${p + 4}::boolean)`);
  }
  return (
    'UPDATE records AS r SET blob = v.blob, cursor = $2, wrapped_dek = v.dek, deleted = v.deleted ' +
    `FROM (VALUES ${values.join(', ')}) AS v (id, expected, blob, dek, deleted) ` +
    'WHERE r.id = v.id AND r.space_id = $1 AND r.cursor = v.expected RETURNING r.id'
  );
}
