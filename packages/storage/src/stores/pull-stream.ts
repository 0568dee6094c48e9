/**
 * The consumer side of a pull (STORE-PULL-05): entries (or whole pages) read from the database
 * at most one page ahead of the consumer, so memory stays flat (the page being consumed plus the
 * next one) and a slow consumer slows the reads down (back-pressure), while a fast one never waits
 * for the database between pages: the next page is read while the current one is framed and sent.
 * The source is ended as soon as the last page is read, when the consumer stops early (`break`,
 * `close()`), when its signal aborts, or when it sits idle longer than `idleTimeoutMs`.
 */
import { StorageError } from './errors.js';
import type { FileEntry, MembersLogEntry, PullEntry, PullResult, PullStreamMeta } from './types.js';

export interface PullStreamOptions {
  /** Closes the stream (and releases its connection) when aborted. */
  readonly signal?: AbortSignal;
  /** Overrides the storage default idle timeout for this stream. */
  readonly idleTimeoutMs?: number;
  /** Overrides the row limit of every page (benchmarks, tests); the byte budget still applies. */
  readonly pageRows?: number;
}

/** Where pages come from: `read` returns an empty page at the end; `end` releases everything. */
export interface PageSource {
  read(): Promise<PullEntry[]>;
  /** Idempotent; safe while a read is in flight. */
  end(): Promise<void>;
}

export interface PullStream extends AsyncIterable<PullEntry> {
  readonly meta: PullStreamMeta;
  /** The next entry, or undefined at the end. Rejects with a StorageError. */
  next(): Promise<PullEntry | undefined>;
  /** The rest of the current page (or the next page), or undefined at the end. */
  nextPage(): Promise<readonly PullEntry[] | undefined>;
  /** Page by page: cheaper than entry by entry for consumers that batch (framing, encoding). */
  pages(): AsyncIterable<readonly PullEntry[]>;
  /** Drains the stream into memory (tests, small pulls). */
  collect(): Promise<PullResult>;
  /** Stops early and releases the connection. Idempotent. */
  close(): Promise<void>;
}

export function pullRecords(result: PullResult) {
  return result.entries.flatMap((e) => (e.kind === 'record' ? [e.record] : []));
}

export function pullMembers(result: PullResult): MembersLogEntry[] {
  return result.entries.flatMap((e) => (e.kind === 'membership' ? [e.member] : []));
}

export function pullFiles(result: PullResult): FileEntry[] {
  return result.entries.flatMap((e) => (e.kind === 'file' ? [e.file] : []));
}

export class PagedPullStream implements PullStream {
  readonly meta: PullStreamMeta;
  readonly #source: PageSource;
  readonly #idleTimeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  #page: PullEntry[] = [];
  #index = 0;
  #exhausted = false;
  #closedBy: StorageError | undefined;
  /** Set while a page read is queued or in flight: later calls wait their turn. */
  #queue: Promise<unknown> | undefined;
  /** The next page, read ahead while the consumer works on the current one (never more than one). */
  #ahead: Promise<PullEntry[]> | undefined;
  #lastUse = Date.now();
  #timer: NodeJS.Timeout | undefined;
  readonly #onAbort = () => {
    void this.#shut(new StorageError('PullClosed', { cause: this.#signal?.reason }));
  };

  constructor(
    meta: PullStreamMeta,
    source: PageSource,
    options: { idleTimeoutMs: number; signal?: AbortSignal },
  ) {
    this.meta = meta;
    this.#source = source;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.#onAbort();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#watch(this.#idleTimeoutMs);
  }

  next(): Promise<PullEntry | undefined> {
    // Fast path: an entry already buffered and nobody ahead in the queue.
    if (this.#queue === undefined && this.#index < this.#page.length) {
      this.#lastUse = Date.now();
      return Promise.resolve(this.#page[this.#index++]);
    }
    return this.#serial(async () => {
      const page = await this.#fill();
      if (page === undefined) return undefined;
      this.#lastUse = Date.now();
      return this.#page[this.#index++];
    });
  }

  nextPage(): Promise<readonly PullEntry[] | undefined> {
    return this.#serial(async () => {
      const page = await this.#fill();
      if (page === undefined) return undefined;
      const rest = this.#index === 0 ? page : page.slice(this.#index);
      this.#page = [];
      this.#index = 0;
      this.#lastUse = Date.now();
      return rest;
    });
  }

  pages(): AsyncIterable<readonly PullEntry[]> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const value = await this.nextPage();
          return value === undefined ? { done: true, value: undefined } : { done: false, value };
        },
        return: async () => {
          await this.close();
          return { done: true, value: undefined };
        },
      }),
    };
  }

  async collect(): Promise<PullResult> {
    const entries: PullEntry[] = [];
    let recordCount = 0;
    for (let page = await this.nextPage(); page !== undefined; page = await this.nextPage()) {
      for (const entry of page) {
        if (entry.kind === 'record') recordCount += 1;
        entries.push(entry);
      }
    }
    return { entries, recordCount, cursor: this.meta.cursor };
  }

  async close(): Promise<void> {
    await this.#shut(new StorageError('PullClosed'));
  }

  [Symbol.asyncIterator](): AsyncIterator<PullEntry> {
    return {
      next: async () => {
        const value = await this.next();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** Runs `op` after every earlier queued operation, so pages are consumed in order. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const result = (this.#queue ?? Promise.resolve()).then(op);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queue = settled;
    void settled.then(() => {
      if (this.#queue === settled) this.#queue = undefined;
    });
    return result;
  }

  /** The current page with at least one unread entry, reading the next one if needed; undefined at the end. */
  async #fill(): Promise<PullEntry[] | undefined> {
    while (this.#index >= this.#page.length) {
      if (this.#closedBy) throw this.#closedBy;
      if (this.#exhausted) return undefined;
      let page: PullEntry[];
      const ahead = this.#ahead;
      this.#ahead = undefined;
      try {
        page = await (ahead ?? this.#source.read());
      } catch (error) {
        const failure = this.#closedBy ?? StorageError.database(error);
        await this.#shut(failure);
        throw failure;
      }
      // Closed (abort, idle) while the page was in flight: the consumer no longer wants it.
      if (this.#closedBy) throw this.#closedBy;
      this.#page = page;
      this.#index = 0;
      if (page.length === 0) {
        this.#exhausted = true;
        this.#release();
        await this.#source.end();
      } else {
        this.#readAhead();
      }
    }
    if (this.#closedBy) throw this.#closedBy;
    return this.#page;
  }

  /** Starts reading the page after the current one; its failure is reported when that page is asked for. */
  #readAhead(): void {
    const ahead = this.#source.read();
    ahead.catch(() => undefined);
    this.#ahead = ahead;
  }

  /** Ends the source unless it already finished; later reads see `reason`. */
  async #shut(reason: StorageError): Promise<void> {
    this.#release();
    if (!this.#exhausted && !this.#closedBy) this.#closedBy = reason;
    // Entries already buffered (or read ahead) are dropped: the consumer asked to stop.
    this.#ahead = undefined;
    this.#page = [];
    this.#index = 0;
    await this.#source.end();
  }

  #release(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  /** One timer per idle period (not per entry): closes the stream once nobody used it for the timeout. */
  #watch(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#exhausted || this.#closedBy) return;
      const idle = Date.now() - this.#lastUse;
      // A read in flight is activity on our side, not consumer idleness.
      if (this.#queue === undefined && idle >= this.#idleTimeoutMs) {
        void this.#shut(new StorageError('PullClosed', { detail: 'idle timeout' }));
      } else {
        this.#watch(Math.max(1, this.#idleTimeoutMs - idle));
      }
    }, delay);
    this.#timer.unref();
  }
}
