import type { SqlQueryable } from '../pg/types.js';
import { REFERENCE_LEDGER_TABLE } from './reference.js';

/**
 * Our ledger. Same columns as the reference's sqlx ledger (CLI-MIGRATE-02) under another name,
 * because our migration files are our own text and their checksums differ from the reference's.
 */
export const LEDGER_TABLE = 'less_sync_migrations';

export interface LedgerRow {
  version: number;
  description: string;
  success: boolean;
  /** SHA-384, lowercase hex. */
  checksum: string;
  /** RFC 3339, UTC. */
  installedOn: string;
  /** Nanoseconds, as text (bigint). */
  executionTime: string;
}

/** Whether `table` exists in the current schema (the first of search_path, where unqualified DDL lands). */
export async function tableExists(db: SqlQueryable, table: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p')
     ) AS found`,
    [table],
  );
  return rows[0]?.found === true;
}

export async function ensureLedger(db: SqlQueryable): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
    version        bigint      PRIMARY KEY,
    description    text        NOT NULL,
    installed_on   timestamptz NOT NULL DEFAULT now(),
    success        boolean     NOT NULL,
    checksum       bytea       NOT NULL,
    execution_time bigint      NOT NULL
  )`);
}

interface RawRow {
  version: number;
  description: string;
  success: boolean;
  checksum: string;
  installed_on: string;
  execution_time: string;
}

async function readRows(db: SqlQueryable, table: string): Promise<LedgerRow[]> {
  if (!(await tableExists(db, table))) return [];
  const { rows } = await db.query<RawRow>(
    `SELECT version::integer AS version, description, success,
            encode(checksum, 'hex') AS checksum,
            to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS installed_on,
            execution_time::text AS execution_time
     FROM ${table} ORDER BY version`,
  );
  return rows.map((r) => ({
    version: Number(r.version),
    description: r.description,
    success: r.success,
    checksum: r.checksum,
    installedOn: r.installed_on,
    executionTime: r.execution_time,
  }));
}

/** Our ledger's rows, ascending; empty when the table does not exist. */
export const readLedger = (db: SqlQueryable) => readRows(db, LEDGER_TABLE);

/** The reference's `_sqlx_migrations` rows, ascending; empty when absent. */
export const readReferenceLedger = (db: SqlQueryable) => readRows(db, REFERENCE_LEDGER_TABLE);

export interface LedgerEntry {
  version: number;
  description: string;
  checksum: string;
  executionTimeNs: bigint | string;
  /** Keep this install time (RFC 3339) instead of now(), e.g. when adopting a reference row. */
  installedOn?: string;
}

export async function recordApplied(db: SqlQueryable, table: string, entry: LedgerEntry): Promise<void> {
  await db.query(
    `INSERT INTO ${table} (version, description, installed_on, success, checksum, execution_time)
     VALUES ($1, $2, COALESCE($3::timestamptz, now()), true, decode($4, 'hex'), $5::bigint)
     ON CONFLICT (version) DO NOTHING`,
    [
      entry.version,
      entry.description,
      entry.installedOn ?? null,
      entry.checksum,
      entry.executionTimeNs.toString(),
    ],
  );
}

export async function removeApplied(db: SqlQueryable, table: string, version: number): Promise<void> {
  await db.query(`DELETE FROM ${table} WHERE version = $1`, [version]);
}
