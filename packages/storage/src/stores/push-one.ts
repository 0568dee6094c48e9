/**
 * Push in one round trip: a single data-modifying statement that bumps (and so row-locks) the space,
 * writes every change and counts what it wrote. A short count raises an error inside the statement,
 * so the whole statement (cursor bump included) rolls back, exactly like the transaction path.
 *
 * Why this is safe under READ COMMITTED although the statement's snapshot predates the space lock:
 * every record write depends on the bump's row (it joins `s`), so nothing is written before the lock
 * is held; an update whose row changed after the snapshot is re-checked against the newest version
 * (the `cursor = expected` test then fails: a conflict), and `ON CONFLICT (id)` sees ids committed
 * after the snapshot. Tombstones need the file rows committed up to the lock, which a stale snapshot
 * can miss, so batches with tombstones (and very large ones) keep the transaction path.
 */
import { toInt } from '../db/values.js';
import type { StoreContext } from './context.js';
import { StorageError, sqlState, UNIQUE_VIOLATION } from './errors.js';
import type { PushOptions, PushResult } from './types.js';

export interface OneStatementChange {
  readonly id: string;
  readonly expected: number;
  readonly blob: Uint8Array | null;
  readonly dek: Uint8Array | null;
}

/** Batches up to this many rows get a named prepared statement per size; larger ones run unnamed. */
const NAMED_UP_TO = 32;
/** Rows and blob bytes the one statement takes; beyond it the chunked transaction path runs. */
export const ONE_STATEMENT_ROWS = 1_000;
export const ONE_STATEMENT_BYTES = 16 * 1024 * 1024;

/** Raised by the statement itself (as a failed integer cast) when a change was left unwritten. */
const CONFLICT_MARKER = 'less_sync_push_conflict';

/** $1 space. Only a local personal space is bumped (R11), no key-generation gate (STORE-REC-02). */
const BUMP_PERSONAL =
  'UPDATE spaces SET cursor = cursor + 1 WHERE id = $1 AND root_public_key IS NULL AND home_server IS NULL ' +
  'RETURNING cursor, key_generation, rewrap_epoch';

/** $1 space, $2 the pusher's key generation: a stale generation on a shared space bumps nothing. */
const BUMP_SHARED =
  'UPDATE spaces SET cursor = cursor + 1 WHERE id = $1 ' +
  'AND NOT ($2::int > 0 AND root_public_key IS NOT NULL AND $2::int < min_key_generation) ' +
  'RETURNING cursor, NULL::int AS key_generation, NULL::int AS rewrap_epoch';

/**
 * The statement for `rows` changes; per row after the leading params: id, expected cursor, blob, dek, or
 * with `createsOnly` (every change is a create, the common case) id, blob, dek. A batch of creates needs
 * no update step and no count: a plain INSERT of an id that exists fails the statement with a unique
 * violation (waiting, as ON CONFLICT would, for a concurrent insert of that id to commit or roll back),
 * and that rolls the cursor bump back just as the marked cast does.
 */
export function oneStatementPushSql(rows: number, personal: boolean, createsOnly = false): string {
  const first = personal ? 2 : 3;
  const width = createsOnly ? 3 : 4;
  const values: string[] = [];
  for (let i = 0, p = first; i < rows; i += 1, p += width) {
    values.push(
      createsOnly
        ? `($${p}::uuid, 0::bigint, $${p + 1}::bytea, $${p + 2}::bytea)`
        : `($${p}::uuid, $${p + 1}::bigint, $${p + 2}::bytea, $${p + 3}::bytea)`,
    );
  }
  const head =
    `WITH s AS (${personal ? BUMP_PERSONAL : BUMP_SHARED}), ` +
    `v (id, expected, blob, dek) AS (VALUES ${values.join(', ')}), `;
  const insert =
    'i AS (INSERT INTO records (id, space_id, blob, cursor, wrapped_dek, deleted) ' +
    'SELECT v.id, $1, v.blob, s.cursor, v.dek, v.blob IS NULL FROM s, v';
  if (createsOnly) return `${head}${insert}) SELECT s.cursor, s.key_generation, s.rewrap_epoch FROM s`;
  const update =
    'u AS (UPDATE records AS r SET blob = v.blob, cursor = s.cursor, wrapped_dek = v.dek, deleted = v.blob IS NULL ' +
    'FROM s, v WHERE v.expected <> 0 AND r.id = v.id AND r.space_id = $1 AND r.cursor = v.expected RETURNING r.id), ';
  const written = '(SELECT count(*) FROM u) + (SELECT count(*) FROM i)';
  return (
    `${head}${update}${insert} WHERE v.expected = 0 ON CONFLICT (id) DO NOTHING RETURNING id) ` +
    'SELECT s.cursor, s.key_generation, s.rewrap_epoch, ' +
    `CAST(CASE WHEN ${written} = ${rows} THEN '0' ` +
    `ELSE '${CONFLICT_MARKER}' END AS int) AS written FROM s`
  );
}

const TEXTS: string[] = [];

/** The named sizes' texts, built once each. */
function cachedSql(rows: number, personal: boolean, createsOnly: boolean): string {
  const key = rows * 4 + (personal ? 1 : 0) + (createsOnly ? 2 : 0);
  let text = TEXTS[key];
  if (text === undefined) {
    text = oneStatementPushSql(rows, personal, createsOnly);
    TEXTS[key] = text;
  }
  return text;
}

/** Whether the batch fits the one statement (no tombstones, within the row and byte caps). */
export function fitsOneStatement(changes: readonly OneStatementChange[]): boolean {
  if (changes.length > ONE_STATEMENT_ROWS) return false;
  let bytes = 0;
  for (const change of changes) {
    if (change.blob === null) return false;
    bytes += change.blob.length;
  }
  return bytes <= ONE_STATEMENT_BYTES;
}

/** A change left unwritten: the marked cast, or (creates only) an id that already exists. */
function isConflict(error: unknown, createsOnly: boolean): boolean {
  const state = sqlState(error);
  if (createsOnly && state === UNIQUE_VIOLATION) return true;
  return state === '22P02' && error instanceof Error && error.message.includes(CONFLICT_MARKER);
}

interface BumpRow {
  cursor: string | number;
  key_generation: number | null;
  rewrap_epoch: number | null;
}

/**
 * Runs the push as one statement. `undefined` means the shared-space bump matched nothing (missing
 * space or stale key generation; nothing was written): the caller's transaction path tells which.
 */
export async function pushOneStatement(
  ctx: StoreContext,
  spaceId: string,
  changes: readonly OneStatementChange[],
  options: PushOptions | undefined,
): Promise<PushResult | undefined> {
  const personal = options?.expectPersonal === true;
  const createsOnly = changes.every((c) => c.expected === 0);
  const params: unknown[] = personal ? [spaceId] : [spaceId, options?.keyGeneration ?? 0];
  for (const c of changes) {
    if (createsOnly) params.push(c.id, c.blob, c.dek);
    else params.push(c.id, c.expected, c.blob, c.dek);
  }
  const n = changes.length;
  const named = n <= NAMED_UP_TO;
  const name = named ? `less_sync_push_${personal ? 'p' : 's'}${createsOnly ? 'i' : ''}${n}` : '';
  let rows: BumpRow[];
  try {
    rows = await ctx.prepared<BumpRow>(
      name,
      named ? cachedSql(n, personal, createsOnly) : oneStatementPushSql(n, personal, createsOnly),
      params,
    );
  } catch (error) {
    if (isConflict(error, createsOnly)) return { ok: false, cursor: 0, deletedFileIds: [] };
    throw StorageError.database(error);
  }
  const row = rows[0];
  if (!row) {
    if (personal) throw new StorageError('PushGuardFailed');
    return undefined;
  }
  const cursor = toInt(row.cursor);
  if (!personal || row.key_generation === null) return { ok: true, cursor, deletedFileIds: [] };
  return row.rewrap_epoch === null
    ? { ok: true, cursor, deletedFileIds: [], keyGeneration: row.key_generation }
    : {
        ok: true,
        cursor,
        deletedFileIds: [],
        keyGeneration: row.key_generation,
        rewrapEpoch: row.rewrap_epoch,
      };
}
