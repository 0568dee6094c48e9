import { LEDGER_TABLE, migrate, REFERENCE_MIGRATIONS, type SqlExecutor } from '@less-sync/storage';

/** The sqlx ledger table as the reference's migrator creates it (SCHEMA-01). */
export const SQLX_LEDGER_DDL = `CREATE TABLE IF NOT EXISTS _sqlx_migrations (
  version BIGINT PRIMARY KEY,
  description TEXT NOT NULL,
  installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
  success BOOLEAN NOT NULL,
  checksum BYTEA NOT NULL,
  execution_time BIGINT NOT NULL
)`;

/**
 * Makes the schema look like one the reference server migrated to `upTo`: its tables (our
 * migrations produce the identical schema), no less-sync ledger, and `_sqlx_migrations` rows
 * carrying the reference's descriptions and checksums.
 */
export async function referenceDatabase(db: SqlExecutor, upTo = 12): Promise<void> {
  await migrate(db, { steps: upTo });
  await db.exec(`DROP TABLE ${LEDGER_TABLE}; ${SQLX_LEDGER_DDL}`);
  for (const m of REFERENCE_MIGRATIONS.filter((x) => x.version <= upTo)) {
    await db.query(
      `INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
       VALUES ($1, $2, '2025-03-04T05:06:07Z', true, decode($3, 'hex'), 1234567)`,
      [m.version, m.description, m.checksum],
    );
  }
}

export async function sqlxRows(db: SqlExecutor): Promise<Array<{ version: number; checksum: string }>> {
  const { rows } = await db.query<{ version: number; checksum: string }>(
    `SELECT version::int AS version, encode(checksum, 'hex') AS checksum FROM _sqlx_migrations ORDER BY version`,
  );
  return rows;
}
