/** Keyset pages: each page its own statement, bounded in rows and bytes (issue: stalled readers, pull memory). */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type PullEntry, pullMembers, pullRecords } from '../../src/index.js';
import { change, createSpace, fill, memberEntry, useTestStorage } from './helpers.js';

const KIB = 1024;
const sorted = (ids: string[]) => [...ids].sort();

async function pageSizes(stream: AsyncIterable<readonly PullEntry[]>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const page of stream) sizes.push(page.length);
  return sizes;
}

describe('pull pages bounded in bytes', () => {
  // 1 MiB pages: two 400 KiB records fit, a third does not.
  const ctx = useTestStorage({ pull: { pageBytes: KIB * KIB } });

  async function seed(bigCount: number, bigBytes: number, smallCount: number): Promise<string> {
    const space = await createSpace(ctx.storage);
    const big = Array.from({ length: bigCount }, () => ({
      id: randomUUID(),
      blob: fill(bigBytes, 7),
      cursor: 0,
      dek: undefined,
    }));
    expect((await ctx.storage.push(space, big)).ok).toBe(true);
    const small = Array.from({ length: smallCount }, () => change(randomUUID(), 'small', 0));
    if (smallCount > 0) expect((await ctx.storage.push(space, small)).ok).toBe(true);
    return space;
  }

  it('STORE-PULL-05 rows per page adapt to record size: large records make short pages', async () => {
    const space = await seed(5, 400 * KIB, 10);
    const stream = await ctx.storage.streamPull(space, 0);
    // Two 400 KiB records per 1 MiB page; the fifth shares its page with the ten small ones.
    expect(await pageSizes(stream.pages())).toEqual([2, 2, 11]);
  });

  it('STORE-PULL-05 a record larger than the page budget forms a page of its own', async () => {
    const space = await seed(3, 1200 * KIB, 3);
    const stream = await ctx.storage.streamPull(space, 0);
    expect(await pageSizes(stream.pages())).toEqual([1, 1, 1, 3]);
  });

  it('STORE-PULL-05 the row limit still applies to small records', async () => {
    const space = await seed(0, 0, 23);
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 10 });
    expect(await pageSizes(stream.pages())).toEqual([10, 10, 3]);
  });

  it('STORE-PULL-03 pages cut by bytes keep (cursor, kind, id) order and lose nothing', async () => {
    const space = await seed(6, 300 * KIB, 0);
    await ctx.storage.appendMember(space, 0, memberEntry(new Uint8Array(0), fill(32, 1), 'm1'));
    const more = Array.from({ length: 4 }, () => ({
      id: randomUUID(),
      blob: fill(500 * KIB, 3),
      cursor: 0,
      dek: undefined,
    }));
    expect((await ctx.storage.push(space, more)).ok).toBe(true);
    const result = await (await ctx.storage.streamPull(space, 0, { pageRows: 3 })).collect();
    const cursors = result.entries.map((e) => e.cursor);
    expect(cursors).toEqual([1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3]);
    const records = pullRecords(result);
    expect(records.slice(0, 6).map((r) => r.id)).toEqual(sorted(records.slice(0, 6).map((r) => r.id)));
    expect(records.slice(6).map((r) => r.id)).toEqual(sorted(more.map((r) => r.id)));
    expect(pullMembers(result)).toHaveLength(1);
  });
});

describe('pull pages without a held snapshot', () => {
  const ctx = useTestStorage();

  it('STORE-PULL-01 writes during a stream: every entry at or below the target once, in order; moved entries come next pull', async () => {
    const space = await createSpace(ctx.storage);
    const ids = sorted(Array.from({ length: 40 }, () => randomUUID()));
    expect(
      (
        await ctx.storage.push(
          space,
          ids.map((id) => change(id, 'v1', 0)),
        )
      ).ok,
    ).toBe(true);
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 5 });
    const entries: PullEntry[] = [...((await stream.nextPage()) ?? [])];
    expect(entries).toHaveLength(5);
    // While the stream is open: update ten records not yet delivered, add a record and a member.
    const moved = ids.slice(20, 30);
    expect(
      (
        await ctx.storage.push(
          space,
          moved.map((id) => change(id, 'v2', 1)),
        )
      ).ok,
    ).toBe(true);
    const late = randomUUID();
    expect((await ctx.storage.push(space, [change(late, 'new', 0)])).ok).toBe(true);
    await ctx.storage.appendMember(space, 0, memberEntry(new Uint8Array(0), fill(32, 9), 'late'));
    for await (const entry of stream) entries.push(entry);

    expect(stream.meta.cursor).toBe(1);
    const delivered = entries.flatMap((e) => (e.kind === 'record' ? [e.record.id] : []));
    expect(entries.every((e) => e.kind === 'record' && e.cursor === 1)).toBe(true);
    expect(delivered).toEqual(ids.filter((id) => !moved.includes(id)));

    // The next pull from the stored position brings the moved records, the new one and the member.
    const next = await (await ctx.storage.streamPull(space, stream.meta.cursor)).collect();
    expect(sorted(pullRecords(next).map((r) => r.id))).toEqual(sorted([...moved, late]));
    expect(pullMembers(next)).toHaveLength(1);
    expect(next.cursor).toBe(4);
  });

  it('STORE-PULL-05 an open stream holds no connection between pages', async () => {
    const space = await createSpace(ctx.storage);
    expect(
      (
        await ctx.storage.push(
          space,
          Array.from({ length: 30 }, () => change(randomUUID(), 'x', 0)),
        )
      ).ok,
    ).toBe(true);
    // More open streams than the test pool has connections (6), each with a page read and more to come.
    const streams = await Promise.all(
      Array.from({ length: 12 }, () => ctx.storage.streamPull(space, 0, { pageRows: 2 })),
    );
    for (const stream of streams) expect(await stream.next()).toBeDefined();
    expect((await ctx.storage.push(space, [change(randomUUID(), 'y', 0)])).ok).toBe(true);
    await expect(ctx.storage.ping()).resolves.toBeUndefined();
    for (const stream of streams) expect(pullRecords(await stream.collect())).toHaveLength(29);
  });
});
