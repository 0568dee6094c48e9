import type { SqlExecutor, SqlQueryable, SqlSession } from '../pg/types.js';
import { pgErrorFields } from '../pg/types.js';
import { MigrationError } from './errors.js';
import { loadMigrations, type Migration, type MigrationSet } from './files.js';
import { type Inspection, inspect, type MigrationStatus } from './inspect.js';
import { ensureLedger, LEDGER_TABLE, recordApplied, removeApplied } from './ledger.js';
import { acquireMigrationLock, releaseMigrationLock } from './lock.js';
import { REFERENCE_LEDGER_TABLE, referenceMigration } from './reference.js';

export type MigrationDirection = 'up' | 'down';

export interface MigrationStep {
  /** `adopt`: recorded from the reference's ledger without running anything. */
  readonly action: 'apply' | 'revert' | 'adopt';
  readonly version: number;
  readonly description: string;
  readonly durationMs: number;
}

export interface MigrationSource {
  /** A loaded set (wins over `dir`). */
  migrations?: MigrationSet;
  /** Directory to load from; default `defaultMigrationsDir()`. */
  dir?: string;
}

export interface MigrateOptions extends MigrationSource {
  direction?: MigrationDirection;
  /** up: apply at most this many (default all); down: revert this many (default 1). */
  steps?: number;
  /** Called after each migration is applied, reverted or adopted. */
  onStep?: (step: MigrationStep) => void;
  /** How long to wait for another migrator's lock (default 5 minutes). */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  readonly steps: MigrationStep[];
  /** Highest applied version afterwards (0 when none). */
  readonly version: number;
}

const loadSet = (source: MigrationSource) =>
  source.migrations ? source.migrations : loadMigrations(source.dir);

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Line (1-based) of a PostgreSQL error position inside the script, for the message. */
function lineOf(sql: string, position: string | undefined): number | undefined {
  const offset = Number(position);
  if (!Number.isInteger(offset) || offset < 1) return undefined;
  return sql.slice(0, offset - 1).split('\n').length;
}

function failed(m: Migration, script: string, verb: string, error: unknown): MigrationError {
  if (error instanceof MigrationError) return error;
  const pgError = pgErrorFields(error);
  const line = lineOf(script, pgError.position);
  const where = line === undefined ? '' : ` (line ${line})`;
  const detail = pgError.detail ? ` — ${pgError.detail}` : '';
  return new MigrationError(
    'migration_failed',
    `migration ${m.version} (${m.description}) failed to ${verb}${where}: ${pgError.message}${detail}; rolled back, nothing of it was ${verb === 'apply' ? 'applied' : 'reverted'}`,
    m.version,
    { cause: error },
  );
}

async function apply(session: SqlSession, m: Migration, mirror: boolean): Promise<void> {
  const started = process.hrtime.bigint();
  const record = async (tx: SqlQueryable) => {
    const entry = { ...m, executionTimeNs: process.hrtime.bigint() - started };
    await recordApplied(tx, LEDGER_TABLE, entry);
    const ref = referenceMigration(m.version);
    // Keep the reference's ledger in step so its server still accepts an adopted database.
    if (mirror && ref && ref.description === m.description) {
      await recordApplied(tx, REFERENCE_LEDGER_TABLE, { ...entry, checksum: ref.checksum });
    }
  };
  try {
    if (m.noTransaction) {
      await session.exec(m.up);
      await session.transaction(record);
    } else {
      await session.transaction(async (tx) => {
        await tx.exec(m.up);
        await record(tx);
      });
    }
  } catch (error) {
    throw failed(m, m.up, 'apply', error);
  }
}

async function revert(session: SqlSession, m: Migration & { down: string }, mirror: boolean): Promise<void> {
  try {
    await session.transaction(async (tx) => {
      await tx.exec(m.down);
      await removeApplied(tx, LEDGER_TABLE, m.version);
      if (mirror && referenceMigration(m.version)) await removeApplied(tx, REFERENCE_LEDGER_TABLE, m.version);
    });
  } catch (error) {
    throw failed(m, m.down, 'revert', error);
  }
}

function checkSteps(steps: number | undefined, fallback: number): number {
  if (steps === undefined) return fallback;
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
  return steps;
}

async function run(
  session: SqlSession,
  set: MigrationSet,
  state: Inspection,
  options: MigrateOptions,
): Promise<MigrationStep[]> {
  const steps: MigrationStep[] = [];
  const done = (
    action: MigrationStep['action'],
    m: { version: number; description: string },
    start: bigint,
  ) => {
    const step = { action, version: m.version, description: m.description, durationMs: elapsedMs(start) };
    steps.push(step);
    options.onStep?.(step);
  };
  if (state.adopt.length > 0) {
    const start = process.hrtime.bigint();
    await session.transaction(async (tx) => {
      for (const entry of state.adopt) await recordApplied(tx, LEDGER_TABLE, entry);
    });
    for (const entry of state.adopt) done('adopt', entry, start);
  }
  const applied = state.applied;
  if ((options.direction ?? 'up') === 'up') {
    const limit = checkSteps(options.steps, Number.POSITIVE_INFINITY);
    for (const m of set.migrations.filter((x) => !applied.has(x.version)).slice(0, limit)) {
      const start = process.hrtime.bigint();
      await apply(session, m, state.referencePresent);
      done('apply', m, start);
    }
    return steps;
  }
  const count = checkSteps(options.steps, 1);
  const byVersion = new Map(set.migrations.map((m) => [m.version, m]));
  const targets = [...applied].sort((a, b) => b - a).slice(0, count);
  const plan = targets.map((v) => byVersion.get(v) as Migration); // inspect() proved they exist
  // Refuse before changing anything when one of them cannot be reverted.
  const stuck = plan.find((m) => m.down === undefined);
  if (stuck) {
    throw new MigrationError(
      'irreversible',
      `migration ${stuck.version} (${stuck.description}) is not reversible: no down script`,
      stuck.version,
    );
  }
  for (const m of plan) {
    const start = process.hrtime.bigint();
    await revert(session, m as Migration & { down: string }, state.referencePresent);
    done('revert', m, start);
  }
  return steps;
}

/**
 * Applies pending migrations (`up`) or reverts the latest ones (`down`) under the reference's advisory
 * lock, one transaction per migration. A database migrated by the reference is adopted first: its
 * `_sqlx_migrations` rows are recorded in our ledger and nothing is run twice. A ledger that disagrees
 * with the files fails before anything runs (`MigrationError`).
 */
export async function migrate(db: SqlExecutor, options: MigrateOptions = {}): Promise<MigrateResult> {
  const set = await loadSet(options);
  return db.withSession(async (session) => {
    const key = await acquireMigrationLock(session, options.lockTimeoutMs ?? 300_000);
    try {
      await ensureLedger(session);
      const state = await inspect(session, set);
      const problem = state.problems[0];
      if (problem) throw problem;
      const steps = await run(session, set, state, options);
      const after = await inspect(session, set);
      return { steps, version: Math.max(0, ...after.applied) };
    } finally {
      await releaseMigrationLock(session, key).catch(() => undefined);
    }
  });
}

/** Every known version and its state. Read-only, no lock; a missing ledger means nothing applied. */
export async function migrationStatus(
  db: SqlQueryable,
  source: MigrationSource = {},
): Promise<MigrationStatus[]> {
  return (await inspect(db, await loadSet(source))).statuses;
}

export interface SchemaVersion {
  /** Highest successfully applied version, 0 when none. */
  readonly version: number;
  /** A failed (success = false) row above `version` exists; `version` is then that row's. */
  readonly dirty: boolean;
}

/** The schema version. Read-only, no lock. */
export async function schemaVersion(db: SqlQueryable, source: MigrationSource = {}): Promise<SchemaVersion> {
  const statuses = (await inspect(db, await loadSet(source))).statuses;
  const applied = Math.max(0, ...statuses.filter((s) => s.state === 'applied').map((s) => s.version));
  const dirtyRow = statuses.filter((s) => s.state === 'dirty' && s.version > applied).at(-1);
  return dirtyRow ? { version: dirtyRow.version, dirty: true } : { version: applied, dirty: false };
}
