/**
 * Push (STORE-REC-01 … 07, R19, R20).
 *
 * Most batches run as one statement (push-one.ts). The rest take one READ COMMITTED transaction: bump the space cursor first (this row-locks the space, so pushes,
 * file records, membership appends and rewraps of one space are serialised), then write
 * optimistically and let the row counts decide conflicts:
 *   - updates only touch rows of this space whose cursor equals the expected one;
 *   - creates are `ON CONFLICT (id) DO NOTHING`, so an id that exists anywhere (this space, a
 *     tombstone, or another space: R20) is not inserted.
 * Any change left unwritten is a conflict and rolls the whole batch back (cursor included).
 * Every statement after the lock sees all previously committed writes of the space.
 * With `expectPersonal` the lock itself checks the space is a local personal one (R11), so the API can
 * skip its own read for a push to the caller's personal space; a mismatch writes nothing.
 */
import { CompiledQuery, sql } from 'kysely';
import { toInt } from '../db/values.js';
import { guard, inTransaction, rollbackWith, type StoreContext, type Tx } from './context.js';
import { StorageError } from './errors.js';
import type { RecordsStore } from './interfaces.js';
import { fitsOneStatement, pushOneStatement } from './push-one.js';
import {
  insertRecordsSql,
  LOCK_AND_BUMP_PERSONAL_SQL,
  LOCK_AND_BUMP_SQL,
  READ_PERSONAL_FOR_UPDATE_SQL,
  REMOVE_FILES_SQL,
  updateRecordsSql,
} from './push-sql.js';
import type { ChangeInput, PushOptions, PushResult } from './types.js';
import { parseRecordId } from './validation.js';

/** Rows per write statement, and blob bytes per write statement. */
const CHUNK_ROWS = 1_000;
const CHUNK_BYTES = 16 * 1024 * 1024;

const CONFLICT: PushResult = { ok: false, cursor: 0, deletedFileIds: [] };

interface PreparedChange {
  readonly id: string;
  readonly expected: number;
  readonly blob: Uint8Array | null;
  readonly dek: Uint8Array | null;
}

/** An expected cursor beyond 2^53 matches no record: it becomes -1, which always conflicts. */
function expectedCursor(cursor: number | bigint): number {
  if (typeof cursor === 'number') return cursor;
  return cursor >= BigInt(Number.MIN_SAFE_INTEGER) && cursor <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(cursor)
    : -1;
}

/** STORE-REC-01: limits and id rules, in the reference's order, before any database access. */
export function validateChanges(ctx: StoreContext, changes: readonly ChangeInput[]): PreparedChange[] {
  const { limits } = ctx;
  if (changes.length > limits.maxRecordsPerPush) throw new StorageError('PushRecordLimitExceeded');
  const seen = new Set<string>();
  const prepared: PreparedChange[] = [];
  let payload = 0;
  for (const change of changes) {
    const id = parseRecordId(change.id);
    if (id === undefined) throw new StorageError('InvalidRecordId');
    if (seen.has(id)) throw new StorageError('DuplicateRecordId');
    seen.add(id);
    const size = change.blob?.length ?? 0;
    if (size > limits.maxBlobBytes) throw new StorageError('BlobTooLarge');
    payload += size;
    prepared.push({
      id,
      expected: expectedCursor(change.cursor),
      blob: change.blob ?? null,
      dek: change.dek ?? null,
    });
  }
  if (payload > limits.maxPushPayloadBytes) throw new StorageError('PushPayloadLimitExceeded');
  return prepared;
}

function* chunks(changes: readonly PreparedChange[]): Generator<PreparedChange[]> {
  let chunk: PreparedChange[] = [];
  let bytes = 0;
  for (const change of changes) {
    const size = change.blob?.length ?? 0;
    if (chunk.length > 0 && (chunk.length >= CHUNK_ROWS || bytes + size > CHUNK_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(change);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

async function run(trx: Tx, text: string, params: unknown[]): Promise<{ id: string }[]> {
  return (await trx.executeQuery<{ id: string }>(CompiledQuery.raw(text, params))).rows;
}

interface ChunkWrite {
  readonly takes: (c: PreparedChange) => boolean;
  readonly sql: (rows: number) => string;
  /** Appends one row's parameters after the statement's `(space, cursor)`. */
  readonly addParams: (params: unknown[], c: PreparedChange) => void;
}

/**
 * The two writes of a push, in order: updates touch only rows whose stored cursor matches; creates insert
 * only ids unused in every space. Each returns the ids it wrote, so a short count is a conflict.
 */
const WRITES: readonly ChunkWrite[] = [
  {
    takes: (c) => c.expected !== 0,
    sql: updateRecordsSql,
    addParams: (params, c) => params.push(c.id, c.expected, c.blob, c.dek, c.blob === null),
  },
  {
    takes: (c) => c.expected === 0,
    sql: insertRecordsSql,
    addParams: (params, c) => params.push(c.id, c.blob, c.dek, c.blob === null),
  },
];

/** R19: a tombstone removes its record's files (soft delete at the batch cursor, so pull reports it). */
async function removeFilesOf(
  trx: Tx,
  spaceId: string,
  cursor: number,
  recordIds: string[],
): Promise<string[]> {
  return (await run(trx, REMOVE_FILES_SQL, [spaceId, cursor, recordIds])).map((row) => row.id);
}

interface PersonalRow {
  cursor: string | number;
  key_generation: number;
  rewrap_epoch: number | null;
}

interface SpaceKeys {
  readonly keyGeneration: number;
  readonly rewrapEpoch?: number;
}

interface Locked {
  readonly cursor: number;
  /** Set by the personal guard. */
  readonly keys?: SpaceKeys;
}

/** What an `expectPersonal` statement found; no row means the guard failed (nothing was written). */
function guarded(row: PersonalRow | undefined): Locked & { keys: SpaceKeys } {
  if (!row) throw new StorageError('PushGuardFailed');
  const keys: SpaceKeys =
    row.rewrap_epoch === null
      ? { keyGeneration: row.key_generation }
      : { keyGeneration: row.key_generation, rewrapEpoch: row.rewrap_epoch };
  return { cursor: toInt(row.cursor), keys };
}

async function emptyPush(ctx: StoreContext, spaceId: string, expectPersonal: boolean): Promise<PushResult> {
  // One statement: FOR UPDATE waits for in-flight writers, then reads the committed cursor.
  if (expectPersonal) {
    const rows = await guard(() =>
      ctx.db.executeQuery<PersonalRow>(CompiledQuery.raw(READ_PERSONAL_FOR_UPDATE_SQL, [spaceId])),
    );
    const { cursor, keys } = guarded(rows.rows[0]);
    return { ok: true, cursor, deletedFileIds: [], ...keys };
  }
  const row = await guard(() =>
    ctx.db.selectFrom('spaces').select('cursor').where('id', '=', spaceId).forUpdate().executeTakeFirst(),
  );
  if (!row) throw new StorageError('SpaceNotFound');
  return { ok: true, cursor: toInt(row.cursor), deletedFileIds: [] };
}

/** The first statement: bump (and so row-lock) the space, with the personal guard or the key-generation gate. */
async function lockAndBump(trx: Tx, spaceId: string, options: PushOptions | undefined): Promise<Locked> {
  if (options?.expectPersonal) {
    const rows = await trx.executeQuery<PersonalRow>(
      CompiledQuery.raw(LOCK_AND_BUMP_PERSONAL_SQL, [spaceId]),
    );
    return guarded(rows.rows[0]);
  }
  const space = await trx.executeQuery<{
    cursor: string | number;
    shared: boolean;
    min_key_generation: number;
  }>(CompiledQuery.raw(LOCK_AND_BUMP_SQL, [spaceId]));
  const locked = space.rows[0];
  if (!locked) throw new StorageError('SpaceNotFound');
  const keyGeneration = options?.keyGeneration ?? 0;
  if (keyGeneration > 0 && locked.shared && keyGeneration < locked.min_key_generation) {
    throw new StorageError('KeyGenerationStale');
  }
  return { cursor: toInt(locked.cursor) };
}

export async function push(
  ctx: StoreContext,
  spaceId: string,
  changes: readonly ChangeInput[],
  options?: PushOptions,
): Promise<PushResult> {
  if (changes.length === 0) return emptyPush(ctx, spaceId, options?.expectPersonal === true);
  const prepared = validateChanges(ctx, changes);
  if (fitsOneStatement(prepared)) {
    const result = await pushOneStatement(ctx, spaceId, prepared, options);
    if (result) return result;
  }
  return pushInTransaction(ctx, spaceId, prepared, options);
}

/** Lock first, then write in chunks: tombstones (R19 needs files committed up to the lock) and big batches. */
async function pushInTransaction(
  ctx: StoreContext,
  spaceId: string,
  prepared: readonly PreparedChange[],
  options: PushOptions | undefined,
): Promise<PushResult> {
  return inTransaction(ctx, async (trx) => {
    const { cursor, keys } = await lockAndBump(trx, spaceId, options);

    for (const write of WRITES) {
      for (const chunk of chunks(prepared.filter(write.takes))) {
        const params: unknown[] = [spaceId, cursor];
        for (const c of chunk) write.addParams(params, c);
        if ((await run(trx, write.sql(chunk.length), params)).length !== chunk.length) rollbackWith(CONFLICT);
      }
    }

    const tombstoned = prepared.filter((c) => c.blob === null).map((c) => c.id);
    const deletedFileIds = tombstoned.length > 0 ? await removeFilesOf(trx, spaceId, cursor, tombstoned) : [];
    return { ok: true, cursor, deletedFileIds, ...keys };
  });
}

export function recordsStore(ctx: StoreContext): RecordsStore {
  return {
    push: (spaceId, changes, options) => push(ctx, spaceId, changes, options),

    async recordExists(spaceId, recordId, options = {}) {
      let query = ctx.db
        .selectFrom('records')
        .select(sql<number>`1`.as('one'))
        .where('space_id', '=', spaceId)
        .where('id', '=', recordId);
      if (options.live) query = query.where('deleted', '=', false);
      const row = await guard(() => query.executeTakeFirst());
      return row !== undefined;
    },
  };
}
