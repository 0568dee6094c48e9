/** The stream machinery on its own, over fake page sources (no database). */
import { describe, expect, it } from 'vitest';
import type { PullEntry } from '../../src/index.js';
import { PagedPullStream, type PageSource } from '../../src/stores/pull-stream.js';
import { expectKind } from './helpers.js';

const meta = { cursor: 9, keyGeneration: 1, rewrapEpoch: undefined };

function record(cursor: number): PullEntry {
  return {
    kind: 'record',
    cursor,
    record: { id: `id-${cursor}`, blob: undefined, cursor, dek: undefined, deleted: false },
  };
}

class FakeSource implements PageSource {
  reads = 0;
  ends = 0;
  constructor(private readonly pages: (PullEntry[] | Error | Promise<PullEntry[]>)[]) {}
  async read(): Promise<PullEntry[]> {
    const page = this.pages[this.reads] ?? [];
    this.reads += 1;
    if (page instanceof Error) throw page;
    return page;
  }
  async end(): Promise<void> {
    this.ends += 1;
  }
}

describe('paged pull stream', () => {
  it('STORE-PULL-05 reads at most one page ahead of the consumer (back-pressure)', async () => {
    const source = new FakeSource([[record(1), record(2)], [record(3)], [record(4)]]);
    const stream = new PagedPullStream(meta, source, { idleTimeoutMs: 1_000 });
    expect(source.reads).toBe(0);
    expect((await stream.next())?.cursor).toBe(1);
    // The page after the current one is read while the consumer works on this one, never further.
    expect(source.reads).toBe(2);
    expect((await stream.next())?.cursor).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.reads).toBe(2);
    expect((await stream.next())?.cursor).toBe(3);
    expect(source.reads).toBe(3);
    // A consumer that stops asking costs no further reads.
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.reads).toBe(3);
    expect((await stream.next())?.cursor).toBe(4);
    expect(await stream.next()).toBeUndefined();
    expect(source.ends).toBe(1);
  });

  it('STORE-PULL-05 a failed read-ahead surfaces only when its page is asked for', async () => {
    const source = new FakeSource([[record(1), record(2)], new Error('connection lost')]);
    const stream = new PagedPullStream(meta, source, { idleTimeoutMs: 1_000 });
    expect((await stream.next())?.cursor).toBe(1);
    expect(source.reads).toBe(2);
    expect((await stream.next())?.cursor).toBe(2);
    const error = await expectKind(stream.next(), 'Database');
    expect(error.message).toBe('database error: connection lost');
    expect(source.ends).toBe(1);
  });

  it('STORE-PULL-05 closing drops a page read ahead', async () => {
    let deliver: (page: PullEntry[]) => void = () => undefined;
    const pending = new Promise<PullEntry[]>((resolve) => {
      deliver = resolve;
    });
    const source = new FakeSource([[record(1)], pending]);
    const stream = new PagedPullStream(meta, source, { idleTimeoutMs: 1_000 });
    expect((await stream.next())?.cursor).toBe(1);
    await stream.close();
    deliver([record(2)]);
    await expectKind(stream.next(), 'PullClosed');
    expect(source.ends).toBe(1);
  });

  it('STORE-PULL-05 a failed read is a Database error; the stream is then closed', async () => {
    const source = new FakeSource([[record(1)], new Error('connection lost')]);
    const stream = new PagedPullStream(meta, source, { idleTimeoutMs: 1_000 });
    const error = await expectKind(stream.collect(), 'Database');
    expect(error.message).toBe('database error: connection lost');
    expect(source.ends).toBe(1);
    expect(await expectKind(stream.next(), 'Database')).toBe(error);
  });

  it('STORE-PULL-05 closing while a page is in flight drops that page', async () => {
    let deliver: (page: PullEntry[]) => void = () => undefined;
    const pending = new Promise<PullEntry[]>((resolve) => {
      deliver = resolve;
    });
    const source = new FakeSource([pending]);
    const stream = new PagedPullStream(meta, source, { idleTimeoutMs: 1_000 });
    const next = stream.next();
    await stream.close();
    deliver([record(1)]);
    await expectKind(next, 'PullClosed');
  });

  it('STORE-PULL-05 collect counts records and keeps meta.cursor', async () => {
    const member: PullEntry = {
      kind: 'membership',
      cursor: 2,
      member: {
        spaceId: 's',
        chainSeq: 1,
        cursor: 2,
        prevHash: new Uint8Array(0),
        entryHash: new Uint8Array(1),
        payload: new Uint8Array(1),
      },
    };
    const stream = new PagedPullStream(meta, new FakeSource([[record(1), member, record(3)]]), {
      idleTimeoutMs: 1_000,
    });
    const result = await stream.collect();
    expect(result.recordCount).toBe(2);
    expect(result.cursor).toBe(9);
    expect(result.entries).toHaveLength(3);
  });
});
