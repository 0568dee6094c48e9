/**
 * The two ways a pull holds its snapshot while the consumer reads (STORE-PULL-01, STORE-PULL-05):
 *
 * - PostgreSQL (a pool): a REPEATABLE READ, READ ONLY transaction stays open on one pooled
 *   connection, and a plain cursor is FETCHed inside it; ending rolls back (read-only: the same
 *   as a commit) and releases the connection.
 * - PGlite (one connection): holding a transaction would stall every other caller until the
 *   consumer finished. Instead the cursor is declared WITH HOLD in a short transaction: PostgreSQL
 *   materialises the snapshot's rows when that transaction commits, and each FETCH is then its own
 *   statement, so other work runs between pages. Ending CLOSEs the cursor.
 */
import { randomBytes } from 'node:crypto';
import { type ControlledTransaction, type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { toInt } from '../db/values.js';
import type { StoreContext } from './context.js';
import { StorageError } from './errors.js';
import { type PullRow, pullQuery } from './pull-query.js';
import type { PullStreamMeta } from './types.js';

export interface PullCursor {
  readonly meta: PullStreamMeta;
  fetch(rows: number): Promise<PullRow[]>;
  /** Idempotent; never throws. */
  release(): Promise<void>;
}

type Reader = Kysely<Database> | ControlledTransaction<Database>;

async function readMeta(db: Reader, spaceId: string): Promise<PullStreamMeta> {
  const row = await db
    .selectFrom('spaces')
    .select(['cursor', 'key_generation', 'rewrap_epoch'])
    .where('id', '=', spaceId)
    .executeTakeFirst();
  if (!row) throw new StorageError('SpaceNotFound');
  return {
    cursor: toInt(row.cursor),
    keyGeneration: row.key_generation,
    rewrapEpoch: row.rewrap_epoch ?? undefined,
  };
}

function fetcher(db: Reader, name: string) {
  return async (rows: number) =>
    (await sql<PullRow>`FETCH FORWARD ${sql.lit(rows)} FROM ${sql.id(name)}`.execute(db)).rows;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn().catch(() => undefined);
    return done;
  };
}

/** A cursor inside a transaction held open on one pooled connection. */
async function transactionCursor(ctx: StoreContext, spaceId: string, since: number): Promise<PullCursor> {
  let trx: ControlledTransaction<Database>;
  try {
    trx = await ctx.db
      .startTransaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute();
  } catch (error) {
    throw StorageError.database(error);
  }
  // Kysely releases the connection even when ROLLBACK fails.
  const release = once(() => trx.rollback().execute());
  try {
    const meta = await readMeta(trx, spaceId);
    await sql`DECLARE less_sync_pull NO SCROLL CURSOR FOR ${pullQuery(spaceId, since)}`.execute(trx);
    return { meta, fetch: fetcher(trx, 'less_sync_pull'), release };
  } catch (error) {
    await release();
    throw StorageError.database(error);
  }
}

/** A WITH HOLD cursor materialised at commit: no transaction stays open (single-connection PGlite). */
async function heldCursor(ctx: StoreContext, spaceId: string, since: number): Promise<PullCursor> {
  const name = `less_sync_pull_${randomBytes(6).toString('hex')}`;
  let meta: PullStreamMeta;
  try {
    meta = await ctx.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const read = await readMeta(trx, spaceId);
        await sql`DECLARE ${sql.id(name)} NO SCROLL CURSOR WITH HOLD FOR ${pullQuery(spaceId, since)}`.execute(
          trx,
        );
        return read;
      });
  } catch (error) {
    throw StorageError.database(error);
  }
  const release = once(async () => {
    await sql`CLOSE ${sql.id(name)}`.execute(ctx.db);
  });
  return { meta, fetch: fetcher(ctx.db, name), release };
}

export function openPullCursor(ctx: StoreContext, spaceId: string, since: number): Promise<PullCursor> {
  return ctx.backend === 'pglite' ? heldCursor(ctx, spaceId, since) : transactionCursor(ctx, spaceId, since);
}
