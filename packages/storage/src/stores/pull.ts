/**
 * Unified pull (STORE-PULL-01 … 05).
 *
 * Meta and entries come from one snapshot (see pull-cursors.ts for how each backend holds it), and
 * pages are FETCHed on demand by `PagedPullStream`, sized to a byte budget, so neither a big space
 * nor a big blob makes memory grow with the space.
 */
import type { StoreContext } from './context.js';
import type { PullStore } from './interfaces.js';
import { openPullCursor, type PullCursor } from './pull-cursors.js';
import { rowBytes, toPullEntry } from './pull-query.js';
import { PagedPullStream, type PageSource, type PullStream, type PullStreamOptions } from './pull-stream.js';
import type { PullEntry } from './types.js';

const MIN_PAGE_ROWS = 16;

/** FETCHes from the pull cursor; releases it as soon as a short page shows the end. */
class CursorPageSource implements PageSource {
  readonly #cursor: PullCursor;
  readonly #spaceId: string;
  readonly #ctx: StoreContext;
  readonly #fixedRows: number | undefined;
  #rows: number;
  #done = false;

  constructor(cursor: PullCursor, spaceId: string, ctx: StoreContext, fixedRows?: number) {
    this.#cursor = cursor;
    this.#spaceId = spaceId;
    this.#ctx = ctx;
    this.#fixedRows = fixedRows;
    this.#rows = fixedRows ?? ctx.pull.firstPageRows;
  }

  async read(): Promise<PullEntry[]> {
    if (this.#done) return [];
    const rows = this.#rows;
    const fetched = await this.#cursor.fetch(rows);
    let bytes = 0;
    const entries = fetched.map((row) => {
      bytes += rowBytes(row);
      return toPullEntry(row, this.#spaceId);
    });
    if (entries.length < rows) {
      this.#done = true;
      await this.end();
    } else if (this.#fixedRows === undefined) {
      const perRow = bytes / entries.length;
      const fit = Math.floor(this.#ctx.pull.targetPageBytes / perRow);
      this.#rows = Math.max(MIN_PAGE_ROWS, Math.min(this.#ctx.pull.maxPageRows, fit));
    }
    return entries;
  }

  end(): Promise<void> {
    this.#done = true;
    return this.#cursor.release();
  }
}

export async function streamPull(
  ctx: StoreContext,
  spaceId: string,
  since: number,
  options: PullStreamOptions = {},
): Promise<PullStream> {
  const cursor = await openPullCursor(ctx, spaceId, since);
  return new PagedPullStream(cursor.meta, new CursorPageSource(cursor, spaceId, ctx, options.pageRows), {
    idleTimeoutMs: options.idleTimeoutMs ?? ctx.pull.idleTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

export function pullStore(ctx: StoreContext): PullStore {
  return { streamPull: (spaceId, since, options) => streamPull(ctx, spaceId, since, options) };
}
