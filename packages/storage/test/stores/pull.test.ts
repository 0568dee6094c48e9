import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type PullEntry, pullFiles, pullMembers, pullRecords } from '../../src/index.js';
import {
  bytes,
  change,
  createRecord,
  createSpace,
  expectKind,
  fill,
  memberEntry,
  RECORD_1,
  RECORD_2,
  RECORD_3,
  useTestStorage,
  wrappedDekWithEpoch,
} from './helpers.js';

describe('pull', () => {
  const ctx = useTestStorage();
  const pullAll = async (space: string, since = 0) => (await ctx.storage.streamPull(space, since)).collect();

  it('STORE-PULL-01 an empty space pulls nothing at cursor 0 (pull_empty_space)', async () => {
    const space = await createSpace(ctx.storage);
    const result = await pullAll(space);
    expect(result).toEqual({ entries: [], recordCount: 0, cursor: 0 });
  });

  it('STORE-PULL-01 a missing space is SpaceNotFound from the call itself (pull_space_not_found)', async () => {
    await expectKind(ctx.storage.streamPull(randomUUID(), 0), 'SpaceNotFound');
    // The failed call released its transaction: the storage still answers.
    await expect(ctx.storage.ping()).resolves.toBeUndefined();
  });

  it('STORE-PULL-02 each space pulls only its own records (space_isolation)', async () => {
    const a = await createSpace(ctx.storage);
    const b = await createSpace(ctx.storage);
    await ctx.storage.push(a, [change(RECORD_1, 'space a data', 0)]);
    await ctx.storage.push(b, [change(RECORD_2, 'space b data', 0)]);
    expect(pullRecords(await pullAll(a)).map((r) => r.blob)).toEqual([bytes('space a data')]);
    expect(pullRecords(await pullAll(b)).map((r) => r.blob)).toEqual([bytes('space b data')]);
  });

  it('STORE-PULL-03 R18 ties at one cursor come out in record-id order (pull_order_by_sequence_then_id)', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [
      change(RECORD_3, 'z', 0),
      change(RECORD_1, 'a', 0),
      change(RECORD_2, 'm', 0),
    ]);
    expect(pullRecords(await pullAll(space)).map((r) => r.id)).toEqual([RECORD_1, RECORD_2, RECORD_3]);
  });

  it('R18 (cursor, id) order holds across many ties and pages', async () => {
    const space = await createSpace(ctx.storage);
    const ids = Array.from({ length: 300 }, () => randomUUID());
    await ctx.storage.push(
      space,
      ids.slice(0, 150).map((id) => change(id, 'a', 0)),
    );
    await ctx.storage.push(
      space,
      ids.slice(150).map((id) => change(id, 'b', 0)),
    );
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 7 });
    const seen: [number, string][] = [];
    for await (const entry of stream) if (entry.kind === 'record') seen.push([entry.cursor, entry.record.id]);
    const expected = [
      ...ids
        .slice(0, 150)
        .sort()
        .map((id): [number, string] => [1, id]),
      ...ids
        .slice(150)
        .sort()
        .map((id): [number, string] => [2, id]),
    ];
    expect(seen).toEqual(expected);
  });

  it('STORE-PULL-03 STORE-PULL-04 STORE-PULL-05 STORE-GEN-03 records, membership and files in one ordered stream (stream_pull_returns_unified_ordered_entries)', async () => {
    const space = await createSpace(ctx.storage);
    const recordId = await createRecord(ctx.storage, space);
    const hash = fill(32, 0x77);
    await ctx.storage.appendMember(space, 0, memberEntry(new Uint8Array(0), hash, 'member-entry'));
    const fileId = randomUUID();
    const dek = wrappedDekWithEpoch(1, 0xee);
    await ctx.storage.recordFile(space, fileId, recordId, 100, dek);

    const stream = await ctx.storage.streamPull(space, 0);
    expect(stream.meta).toEqual({ cursor: 3, keyGeneration: 1, rewrapEpoch: undefined });
    const entries: PullEntry[] = [];
    for (let entry = await stream.next(); entry; entry = await stream.next()) entries.push(entry);
    expect(entries).toEqual([
      {
        kind: 'record',
        cursor: 1,
        record: { id: recordId, blob: bytes('record'), cursor: 1, dek: undefined, deleted: false },
      },
      {
        kind: 'membership',
        cursor: 2,
        member: {
          spaceId: space,
          chainSeq: 1,
          cursor: 2,
          prevHash: new Uint8Array(0),
          entryHash: hash,
          payload: bytes('member-entry'),
        },
      },
      {
        kind: 'file',
        cursor: 3,
        file: { id: fileId, recordId, size: 100, deleted: false, wrappedDek: dek, cursor: 3 },
      },
    ]);
    expect(await stream.next()).toBeUndefined();
  });

  it('STORE-PULL-01 STORE-PULL-05 meta carries the space cursor and epoch; collect helpers split by kind', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'x', 0)]);
    await ctx.storage.appendMember(space, 0, memberEntry(new Uint8Array(0), fill(32, 1), 'm'));
    await ctx.storage.push(space, [change(RECORD_1, undefined, 1)]);
    await ctx.storage.advanceEpoch(space, 2);
    const stream = await ctx.storage.streamPull(space, 0);
    expect(stream.meta).toEqual({ cursor: 3, keyGeneration: 2, rewrapEpoch: 2 });
    const result = await stream.collect();
    // The tombstone is filtered at since 0, yet the client's new position is the space cursor.
    expect(result.cursor).toBe(3);
    expect(result.recordCount).toBe(0);
    expect(pullMembers(result)).toHaveLength(1);
    expect(pullFiles(result)).toEqual([]);
    // A since beyond the space cursor: nothing, and the (smaller) current cursor.
    expect(await pullAll(space, 99)).toEqual({ entries: [], recordCount: 0, cursor: 3 });
  });

  it('R19 an incremental pull reports the files a tombstone removed; an initial pull does not', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    await ctx.storage.recordFile(space, fileId, record, 10, wrappedDekWithEpoch(1, 1));
    const { cursor } = await ctx.storage.push(space, [{ id: record, cursor: 1 }]);
    const incremental = await pullAll(space, 2);
    expect(incremental.entries.map((e) => [e.kind, e.cursor])).toEqual([
      ['record', cursor],
      ['file', cursor],
    ]);
    expect(pullFiles(incremental)[0]).toMatchObject({ id: fileId, recordId: record, deleted: true, cursor });
    expect((await pullAll(space, 0)).entries).toEqual([]);
  });

  it('STORE-PULL-05 large rows shrink the pages; every row still arrives once', async () => {
    const space = await createSpace(ctx.storage);
    const big = Array.from({ length: 12 }, (_, i) => ({
      id: randomUUID(),
      blob: fill(512 * 1024, i),
      cursor: 0,
    }));
    await ctx.storage.push(space, big);
    const result = await pullAll(space);
    expect(result.recordCount).toBe(12);
    expect(
      pullRecords(result)
        .map((r) => r.blob?.[0])
        .sort((x = 0, y = 0) => x - y),
    ).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});

describe('pull stream lifecycle', () => {
  // One pooled connection on a real server: a stream that leaked its connection would hang the next call.
  const ctx = useTestStorage({ maxConnections: 1 });

  async function seeded(count: number): Promise<string> {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(
      space,
      Array.from({ length: count }, () => change(randomUUID(), 'x', 0)),
    );
    return space;
  }

  it('STORE-PULL-05 breaking out of for-await releases the connection', async () => {
    const space = await seeded(50);
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 5 });
    let seen = 0;
    for await (const _ of stream) {
      seen += 1;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect((await ctx.storage.getSpace(space)).cursor).toBe(1);
    await expectKind(stream.next(), 'PullClosed');
  });

  it('STORE-PULL-05 pages() hands out bounded pages in order; breaking out releases the connection', async () => {
    const space = await seeded(10);
    const sizes: number[] = [];
    for await (const page of (await ctx.storage.streamPull(space, 0, { pageRows: 4 })).pages())
      sizes.push(page.length);
    expect(sizes).toEqual([4, 4, 2]);
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 4 });
    const first = await stream.next();
    // nextPage() returns the rest of a partly read page first.
    expect((await stream.nextPage())?.length).toBe(3);
    for await (const page of stream.pages()) {
      expect(page[0]?.cursor).toBe(1);
      break;
    }
    expect(first?.kind).toBe('record');
    await expectKind(stream.nextPage(), 'PullClosed');
    await expect(ctx.storage.push(space, [change(randomUUID(), 'y', 0)])).resolves.toMatchObject({
      ok: true,
    });
  });

  it('STORE-PULL-05 close() stops a stream; closing twice is harmless', async () => {
    const space = await seeded(20);
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 4 });
    expect(await stream.next()).toBeDefined();
    await stream.close();
    await stream.close();
    const error = await expectKind(stream.next(), 'PullClosed');
    expect(error.message).toBe('pull stream closed');
    await expect(ctx.storage.ping()).resolves.toBeUndefined();
  });

  it('STORE-PULL-05 an idle stream times out and releases its connection', async () => {
    const space = await seeded(20);
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 4, idleTimeoutMs: 30 });
    expect(await stream.next()).toBeDefined();
    await sleep(120);
    await expect(ctx.storage.push(space, [change(randomUUID(), 'y', 0)])).resolves.toMatchObject({
      ok: true,
    });
    const error = await expectKind(stream.next(), 'PullClosed');
    expect(error.message).toBe('pull stream closed: idle timeout');
  });

  it('STORE-PULL-05 an aborted signal closes the stream, before or during reading', async () => {
    const space = await seeded(20);
    const controller = new AbortController();
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 4, signal: controller.signal });
    expect(await stream.next()).toBeDefined();
    controller.abort(new Error('client gone'));
    await expectKind(stream.next(), 'PullClosed');
    const early = await ctx.storage.streamPull(space, 0, { signal: AbortSignal.abort() });
    await expectKind(early.next(), 'PullClosed');
    await expect(ctx.storage.ping()).resolves.toBeUndefined();
  });

  it('STORE-PULL-05 concurrent next() calls are served in order', async () => {
    const space = await seeded(9);
    const stream = await ctx.storage.streamPull(space, 0, { pageRows: 2 });
    const all = await Promise.all(Array.from({ length: 11 }, () => stream.next()));
    const ids = all.flatMap((e) => (e?.kind === 'record' ? [e.record.id] : []));
    expect(ids).toHaveLength(9);
    expect([...ids].sort()).toEqual(ids);
    expect(all.slice(9)).toEqual([undefined, undefined]);
  });

  it('STORE-PULL-05 a fully read stream has already released its connection', async () => {
    const space = await seeded(3);
    const stream = await ctx.storage.streamPull(space, 0);
    for (let i = 0; i < 3; i += 1) expect(await stream.next()).toBeDefined();
    // The short page told the source it was the end: the transaction is over before the last read.
    await expect(ctx.storage.push(space, [change(randomUUID(), 'y', 0)])).resolves.toMatchObject({
      ok: true,
    });
    expect(await stream.next()).toBeUndefined();
    await stream.close();
    expect(await stream.next()).toBeUndefined();
  });
});
