import type { SqlQueryable } from '../pg/types.js';
import { MigrationError } from './errors.js';
import type { Migration, MigrationSet } from './files.js';
import { type LedgerEntry, type LedgerRow, readLedger, readReferenceLedger, tableExists } from './ledger.js';
import { REFERENCE_LEDGER_TABLE, referenceMigration } from './reference.js';

export type MigrationState = 'applied' | 'pending' | 'modified' | 'dirty' | 'missing';

export interface MigrationStatus {
  readonly version: number;
  readonly description: string;
  readonly state: MigrationState;
  /** RFC 3339 UTC, for rows in a ledger. */
  readonly installedOn: string | undefined;
  /** Recorded only in the reference's `_sqlx_migrations` so far (adopted on the next up/down). */
  readonly fromReference: boolean;
}

export interface Inspection {
  /** One row per version in the files or either ledger, ascending. */
  readonly statuses: MigrationStatus[];
  /** What stops up/down, most serious first (dirty, reference, missing, modified). */
  readonly problems: MigrationError[];
  /** Reference ledger rows to record in ours. */
  readonly adopt: LedgerEntry[];
  /** Versions applied (our ledger plus what will be adopted). */
  readonly applied: Set<number>;
  /** `_sqlx_migrations` exists, so it is kept in step for 1–12. */
  readonly referencePresent: boolean;
}

const RANK: Record<string, number> = { dirty: 0, reference_ledger: 1, missing: 2, modified: 3, renamed: 3 };

function dirty(version: number, table: string): MigrationError {
  return new MigrationError(
    'dirty',
    `migration ${version} is partially applied; fix and remove row from ${table} table`,
    version,
  );
}

function missing(version: number): MigrationError {
  return new MigrationError(
    'missing',
    `migration ${version} was previously applied but is missing in the resolved migrations`,
    version,
  );
}

/** Reconciles the migration files with both ledgers. Read-only. */
export async function inspect(db: SqlQueryable, set: MigrationSet): Promise<Inspection> {
  const local = new Map<number, Migration>(set.migrations.map((m) => [m.version, m]));
  const ours = new Map<number, LedgerRow>((await readLedger(db)).map((r) => [r.version, r]));
  const referencePresent = await tableExists(db, REFERENCE_LEDGER_TABLE);
  const reference = referencePresent ? await readReferenceLedger(db) : [];

  const problems: MigrationError[] = [];
  const statuses = new Map<number, MigrationStatus>();
  const adopt: LedgerEntry[] = [];
  const applied = new Set<number>();
  const put = (row: Omit<MigrationStatus, 'fromReference'>, fromReference = false) =>
    statuses.set(row.version, { ...row, fromReference });

  for (const row of ours.values()) {
    const file = local.get(row.version);
    const base = { version: row.version, description: row.description, installedOn: row.installedOn };
    if (!row.success) {
      problems.push(dirty(row.version, 'less_sync_migrations'));
      put({ ...base, state: 'dirty' });
    } else if (!file) {
      problems.push(missing(row.version));
      put({ ...base, state: 'missing' });
    } else if (file.description !== row.description) {
      problems.push(
        new MigrationError(
          'renamed',
          `migration ${row.version} was applied as "${row.description}" but its file is now "${file.description}"`,
          row.version,
        ),
      );
      put({ ...base, state: 'modified' });
    } else if (file.checksum !== row.checksum) {
      problems.push(
        new MigrationError(
          'modified',
          `migration ${row.version} was previously applied but has been modified`,
          row.version,
        ),
      );
      put({ ...base, state: 'modified' });
    } else {
      applied.add(row.version);
      put({ ...base, state: 'applied' });
    }
  }

  for (const row of reference) {
    if (ours.has(row.version)) continue;
    const base = { version: row.version, description: row.description, installedOn: row.installedOn };
    const known = referenceMigration(row.version);
    const file = local.get(row.version);
    if (!row.success) {
      problems.push(dirty(row.version, REFERENCE_LEDGER_TABLE));
      put({ ...base, state: 'dirty' }, true);
    } else if (!known || known.description !== row.description || known.checksum !== row.checksum) {
      problems.push(
        new MigrationError(
          'reference_ledger',
          `${REFERENCE_LEDGER_TABLE} records migration ${row.version} (${row.description}) that is not one of the reference's 001-012 migrations; this schema cannot be adopted`,
          row.version,
        ),
      );
      put({ ...base, state: known ? 'modified' : 'missing' }, true);
    } else if (!file) {
      problems.push(missing(row.version));
      put({ ...base, state: 'missing' }, true);
    } else {
      applied.add(row.version);
      put({ ...base, state: 'applied' }, true);
      adopt.push({
        version: file.version,
        description: file.description,
        checksum: file.checksum,
        executionTimeNs: row.executionTime,
        installedOn: row.installedOn,
      });
    }
  }

  for (const file of set.migrations) {
    if (!statuses.has(file.version)) {
      put({ version: file.version, description: file.description, state: 'pending', installedOn: undefined });
    }
  }

  problems.sort((a, b) => (RANK[a.code] ?? 9) - (RANK[b.code] ?? 9) || (a.version ?? 0) - (b.version ?? 0));
  return {
    statuses: [...statuses.values()].sort((a, b) => a.version - b.version),
    problems,
    adopt,
    applied,
    referencePresent,
  };
}
