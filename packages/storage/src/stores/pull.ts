/**
 * Unified pull (STORE-PULL-01 … 05).
 *
 * The call reads the space's meta (its cursor is the pull's target), then `PagedPullStream` reads
 * pages on demand, each one short statement after the last entry delivered (keyset pagination,
 * see pull-query.ts). No connection or transaction is held between pages, so a consumer that
 * stalls costs one bounded page of memory and nothing of the pool. Every entry at or below the
 * target is delivered at most once and in order; an entry a later push moves past the target (an
 * update of a record not yet delivered) comes in the next pull instead, from the new cursor.
 */
import { toInt } from '../db/values.js';
import type { StoreContext } from './context.js';
import { StorageError } from './errors.js';
import type { PullStore } from './interfaces.js';
import {
  AFTER_ALL_KINDS,
  type PagePosition,
  PULL_PAGE_SQL,
  PULL_PAGE_STATEMENT,
  type PullRow,
  pageParams,
  positionOf,
  toPullEntry,
} from './pull-query.js';
import { PagedPullStream, type PageSource, type PullStream, type PullStreamOptions } from './pull-stream.js';
import type { PullEntry, PullStreamMeta } from './types.js';

const META_STATEMENT = 'less_sync_pull_meta_v1';
const META_SQL = 'SELECT cursor, key_generation, rewrap_epoch FROM spaces WHERE id = $1';

interface MetaRow {
  cursor: string | number | bigint;
  key_generation: number;
  rewrap_epoch: number | null;
}

async function readMeta(ctx: StoreContext, spaceId: string): Promise<PullStreamMeta> {
  let rows: MetaRow[];
  try {
    rows = await ctx.reads.run(() => ctx.prepared<MetaRow>(META_STATEMENT, META_SQL, [spaceId]));
  } catch (error) {
    throw StorageError.database(error);
  }
  const row = rows[0];
  if (row === undefined) throw new StorageError('SpaceNotFound');
  return {
    cursor: toInt(row.cursor),
    keyGeneration: row.key_generation,
    rewrapEpoch: row.rewrap_epoch ?? undefined,
  };
}

/** One keyset page per read; knows the end from a page that was neither row- nor byte-cut. */
class KeysetPageSource implements PageSource {
  readonly #ctx: StoreContext;
  readonly #spaceId: string;
  readonly #since: number;
  readonly #target: number;
  readonly #rows: number;
  readonly #bytes: number;
  #after: PagePosition;
  #done: boolean;

  constructor(ctx: StoreContext, spaceId: string, since: number, target: number, rows: number) {
    this.#ctx = ctx;
    this.#spaceId = spaceId;
    this.#since = since;
    this.#target = target;
    this.#rows = rows;
    this.#bytes = ctx.pull.pageBytes;
    this.#after = { cursor: since, kind: AFTER_ALL_KINDS, id: null, chainSeq: null };
    this.#done = since >= target;
  }

  async read(): Promise<PullEntry[]> {
    if (this.#done) return [];
    const params = pageParams(this.#spaceId, this.#since, this.#after, this.#target, this.#rows, this.#bytes);
    const rows = await this.#ctx.reads.run(() =>
      this.#ctx.prepared<PullRow>(PULL_PAGE_STATEMENT, PULL_PAGE_SQL, params),
    );
    const last = rows[rows.length - 1];
    if (last === undefined || (rows.length < this.#rows && toInt(last.available) === rows.length)) {
      this.#done = true;
    }
    if (last !== undefined) this.#after = positionOf(last);
    return rows.map((row) => toPullEntry(row, this.#spaceId));
  }

  async end(): Promise<void> {
    this.#done = true;
  }
}

export async function streamPull(
  ctx: StoreContext,
  spaceId: string,
  since: number,
  options: PullStreamOptions = {},
): Promise<PullStream> {
  const meta = await readMeta(ctx, spaceId);
  const rows = Math.max(1, Math.floor(options.pageRows ?? ctx.pull.pageRows));
  return new PagedPullStream(meta, new KeysetPageSource(ctx, spaceId, since, meta.cursor, rows), {
    idleTimeoutMs: options.idleTimeoutMs ?? ctx.pull.idleTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

export function pullStore(ctx: StoreContext): PullStore {
  return { streamPull: (spaceId, since, options) => streamPull(ctx, spaceId, since, options) };
}
