import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pullRecords } from '../../src/index.js';
import {
  bytes,
  change,
  createRecord,
  createSpace,
  expectKind,
  RECORD_1,
  RECORD_2,
  RECORD_3,
  useTestStorage,
  wrappedDek,
} from './helpers.js';

describe('push', () => {
  const ctx = useTestStorage();
  const pullAll = async (space: string, since = 0) => (await ctx.storage.streamPull(space, since)).collect();

  it('STORE-REC-04 a create allocates cursor 1 and moves the space cursor (push_to_existing_space)', async () => {
    const space = await createSpace(ctx.storage);
    const result = await ctx.storage.push(space, [change(RECORD_1, 'hello', 0)]);
    expect(result).toEqual({ ok: true, cursor: 1, deletedFileIds: [] });
    expect((await ctx.storage.getSpace(space)).cursor).toBe(1);
  });

  it('STORE-REC-03 creating an id that exists conflicts (push_conflict_new_record_exists)', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'v1', 0)]);
    const result = await ctx.storage.push(space, [change(RECORD_1, 'v2', 0)]);
    expect(result).toEqual({ ok: false, cursor: 0, deletedFileIds: [] });
    expect((await ctx.storage.getSpace(space)).cursor).toBe(1);
  });

  it('STORE-REC-04 an update at the current cursor succeeds (push_update_existing_record)', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'v1', 0)]);
    const result = await ctx.storage.push(space, [change(RECORD_1, 'v2', 1)]);
    expect(result).toMatchObject({ ok: true, cursor: 2 });
    const records = pullRecords(await pullAll(space));
    expect(records).toHaveLength(1);
    expect(records[0]?.blob).toEqual(bytes('v2'));
  });

  it('STORE-REC-03 an update at a stale cursor conflicts (push_conflict_record_modified)', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'v1', 0)]);
    await ctx.storage.push(space, [change(RECORD_1, 'v2', 1)]);
    expect((await ctx.storage.push(space, [change(RECORD_1, 'v3', 1)])).ok).toBe(false);
    expect(pullRecords(await pullAll(space))[0]?.blob).toEqual(bytes('v2'));
  });

  it('STORE-REC-03 an update of a missing record conflicts, negative cursors too (push_conflict_record_not_found)', async () => {
    const space = await createSpace(ctx.storage);
    expect((await ctx.storage.push(space, [change(RECORD_1, 'v1', 5)])).ok).toBe(false);
    expect((await ctx.storage.push(space, [change(RECORD_1, 'v1', -1)])).ok).toBe(false);
    expect((await ctx.storage.getSpace(space)).cursor).toBe(0);
  });

  it('STORE-REC-03 creating over a tombstone conflicts (push_conflict_with_tombstone)', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'data', 0)]);
    await ctx.storage.push(space, [change(RECORD_1, undefined, 1)]);
    expect((await ctx.storage.push(space, [change(RECORD_1, 'new data', 0)])).ok).toBe(false);
  });

  it('STORE-REC-03 one conflict rejects the whole batch (push_all_or_nothing)', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'v1', 0)]);
    const result = await ctx.storage.push(space, [change(RECORD_2, 'new', 0), change(RECORD_1, 'bad', 0)]);
    expect(result.ok).toBe(false);
    const records = pullRecords(await pullAll(space));
    expect(records.map((r) => r.id)).toEqual([RECORD_1]);
    expect((await ctx.storage.getSpace(space)).cursor).toBe(1);
  });

  it('STORE-REC-03 a conflicting update rolls back the creates before it', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'v1', 0)]);
    const result = await ctx.storage.push(space, [
      change(RECORD_1, 'v2', 1),
      change(RECORD_2, 'x', 0),
      change(RECORD_3, 'y', 7),
    ]);
    expect(result.ok).toBe(false);
    expect(pullRecords(await pullAll(space)).map((r) => [r.id, r.cursor])).toEqual([[RECORD_1, 1]]);
  });

  it('STORE-REC-04 STORE-GEN-04 one cursor per batch (push_multiple_records_same_sequence)', async () => {
    const space = await createSpace(ctx.storage);
    const result = await ctx.storage.push(space, [
      change(RECORD_1, 'a', 0),
      change(RECORD_2, 'b', 0),
      change(RECORD_3, 'c', 0),
    ]);
    expect(result).toMatchObject({ ok: true, cursor: 1 });
    const records = pullRecords(await pullAll(space));
    expect(records).toHaveLength(3);
    expect(records.every((r) => r.cursor === 1)).toBe(true);
  });

  it('STORE-REC-04 STORE-PULL-02 tombstones are pulled incrementally but not at since 0 (push_delete_and_initial_sync_skips_tombstones)', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'data', 0)]);
    expect((await ctx.storage.push(space, [change(RECORD_1, undefined, 1)])).ok).toBe(true);
    const incremental = pullRecords(await pullAll(space, 1));
    expect(incremental).toEqual([
      { id: RECORD_1, blob: undefined, cursor: 2, dek: undefined, deleted: true },
    ]);
    expect(pullRecords(await pullAll(space, 0))).toEqual([]);
    // Negative since behaves as incremental.
    expect(pullRecords(await pullAll(space, -1))).toHaveLength(1);
  });

  it('STORE-REC-04 a tombstone resurrects at its own cursor; an empty blob is live', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'data', 0)]);
    await ctx.storage.push(space, [change(RECORD_1, undefined, 1)]);
    expect((await ctx.storage.push(space, [change(RECORD_1, '', 2)])).ok).toBe(true);
    const [record] = pullRecords(await pullAll(space));
    expect(record).toEqual({
      id: RECORD_1,
      blob: new Uint8Array(0),
      cursor: 3,
      dek: undefined,
      deleted: false,
    });
  });

  it('STORE-REC-04 a record can be created as a tombstone, and an update without DEK clears the DEK', async () => {
    const space = await createSpace(ctx.storage);
    const dek = wrappedDek(0xdd);
    await ctx.storage.push(space, [change(RECORD_1, undefined, 0, dek), change(RECORD_2, 'x', 0, dek)]);
    const since0 = pullRecords(await pullAll(space, -1));
    expect(since0.map((r) => [r.id, r.deleted, r.dek])).toEqual([
      [RECORD_1, true, dek],
      [RECORD_2, false, dek],
    ]);
    await ctx.storage.push(space, [change(RECORD_2, 'y', 1)]);
    expect(pullRecords(await pullAll(space, 1))[0]?.dek).toBeUndefined();
  });

  it('STORE-REC-03 expected cursors may come as bigint (protocol i64); one beyond 2^53 always conflicts', async () => {
    const space = await createSpace(ctx.storage);
    expect((await ctx.storage.push(space, [{ id: RECORD_1, blob: bytes('x'), cursor: 0n }])).ok).toBe(true);
    expect((await ctx.storage.push(space, [{ id: RECORD_1, blob: bytes('y'), cursor: 1n }])).ok).toBe(true);
    expect((await ctx.storage.push(space, [{ id: RECORD_1, blob: bytes('z'), cursor: 2n ** 60n }])).ok).toBe(
      false,
    );
    expect((await ctx.storage.push(space, [{ id: RECORD_1, blob: null, cursor: 2, dek: null }])).ok).toBe(
      true,
    );
  });

  it('STORE-REC-04 upper-case ids are stored and pulled lowercase', async () => {
    const space = await createSpace(ctx.storage);
    const id = randomUUID();
    await ctx.storage.push(space, [change(id.toUpperCase(), 'x', 0)]);
    expect(pullRecords(await pullAll(space))[0]?.id).toBe(id);
    expect((await ctx.storage.push(space, [change(id.toUpperCase(), 'y', 1)])).ok).toBe(true);
  });

  it('R20 an id already used in another space is a conflict, not a database error', async () => {
    const a = await createSpace(ctx.storage);
    const b = await createSpace(ctx.storage);
    await ctx.storage.push(a, [change(RECORD_1, 'in a', 0)]);
    expect(await ctx.storage.push(b, [change(RECORD_2, 'ok', 0), change(RECORD_1, 'in b', 0)])).toEqual({
      ok: false,
      cursor: 0,
      deletedFileIds: [],
    });
    expect((await ctx.storage.push(b, [change(RECORD_1, 'in b', 1)])).ok).toBe(false);
    expect(pullRecords(await pullAll(b))).toEqual([]);
    expect(pullRecords(await pullAll(a))[0]?.blob).toEqual(bytes('in a'));
  });

  it('STORE-REC-07 record_exists counts tombstones; live excludes them (record_exists_roundtrip)', async () => {
    const space = await createSpace(ctx.storage);
    expect(await ctx.storage.recordExists(space, randomUUID())).toBe(false);
    await ctx.storage.push(space, [change(RECORD_1, 'x', 0)]);
    expect(await ctx.storage.recordExists(space, RECORD_1)).toBe(true);
    expect(await ctx.storage.recordExists(await createSpace(ctx.storage), RECORD_1)).toBe(false);
    await ctx.storage.push(space, [change(RECORD_1, undefined, 1)]);
    expect(await ctx.storage.recordExists(space, RECORD_1)).toBe(true);
    expect(await ctx.storage.recordExists(space, RECORD_1, { live: true })).toBe(false);
  });

  it('STORE-REC-02 pushing to a missing space is SpaceNotFound (push_space_not_found)', async () => {
    await expectKind(ctx.storage.push(randomUUID(), [change(RECORD_1, 'hello', 0)]), 'SpaceNotFound');
  });

  it('STORE-REC-02 the key-generation gate applies to shared spaces only', async () => {
    const shared = randomUUID();
    await ctx.storage.createSpace(shared, 'c', new Uint8Array(33).fill(2));
    await ctx.storage.advanceEpoch(shared, 2, { setMinKeyGeneration: true });
    const stale = await expectKind(
      ctx.storage.push(shared, [change(RECORD_1, 'x', 0)], { keyGeneration: 1 }),
      'KeyGenerationStale',
    );
    expect(stale.message).toBe('key generation stale');
    expect((await ctx.storage.getSpace(shared)).cursor).toBe(0);
    expect((await ctx.storage.push(shared, [change(RECORD_1, 'x', 0)], { keyGeneration: 0 })).ok).toBe(true);
    expect((await ctx.storage.push(shared, [change(RECORD_2, 'x', 0)], { keyGeneration: 2 })).ok).toBe(true);
    const personal = await createSpace(ctx.storage);
    await ctx.storage.advanceEpoch(personal, 2, { setMinKeyGeneration: true });
    expect((await ctx.storage.push(personal, [change(RECORD_3, 'x', 0)], { keyGeneration: 1 })).ok).toBe(
      true,
    );
  });

  it('STORE-REC-01 a malformed record id is InvalidRecordId (push_invalid_record_id)', async () => {
    const space = await createSpace(ctx.storage);
    for (const id of [
      'invalid-id',
      RECORD_1.replaceAll('-', ''),
      `{${RECORD_1}}`,
      `urn:uuid:${RECORD_1}`,
      `${RECORD_1.slice(0, 35)}g`,
    ]) {
      const error = await expectKind(ctx.storage.push(space, [change(id, 'data', 0)]), 'InvalidRecordId');
      expect(error.message).toBe('invalid record ID');
    }
  });

  it('STORE-REC-01 a blob over 5 MiB is BlobTooLarge; exactly 5 MiB is allowed (push_blob_too_large)', async () => {
    const space = await createSpace(ctx.storage);
    const limit = 5 * 1024 * 1024;
    await expectKind(
      ctx.storage.push(space, [{ id: RECORD_1, blob: new Uint8Array(limit + 1), cursor: 0 }]),
      'BlobTooLarge',
    );
    expect(
      (await ctx.storage.push(space, [{ id: RECORD_1, blob: new Uint8Array(limit), cursor: 0 }])).ok,
    ).toBe(true);
  });

  it('STORE-REC-01 a repeated id (any case) is DuplicateRecordId (push_duplicate_record_id)', async () => {
    const space = await createSpace(ctx.storage);
    const error = await expectKind(
      ctx.storage.push(space, [change(RECORD_1, 'first', 0), change(RECORD_1, 'second', 0)]),
      'DuplicateRecordId',
    );
    expect(error.message).toBe('duplicate record ID in push');
    const id = randomUUID();
    await expectKind(
      ctx.storage.push(space, [change(id, 'a', 0), change(id.toUpperCase(), 'b', 0)]),
      'DuplicateRecordId',
    );
  });

  it('STORE-REC-06 an empty push returns the current cursor (push_empty_changes)', async () => {
    const space = await createSpace(ctx.storage);
    expect(await ctx.storage.push(space, [])).toEqual({ ok: true, cursor: 0, deletedFileIds: [] });
    await ctx.storage.push(space, [change(RECORD_1, 'x', 0)]);
    expect(await ctx.storage.push(space, [])).toEqual({ ok: true, cursor: 1, deletedFileIds: [] });
    await expectKind(ctx.storage.push(randomUUID(), []), 'SpaceNotFound');
  });

  it('STORE-REC-05 R19 a tombstone removes its files in the same push (push_tombstone_deletes_files)', async () => {
    const space = await createSpace(ctx.storage);
    const dek = wrappedDek(0xdd);
    const record = await createRecord(ctx.storage, space, dek);
    const other = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    const keep = randomUUID();
    await ctx.storage.recordFile(space, fileId, record, 100, wrappedDek(0xfe));
    await ctx.storage.recordFile(space, keep, other, 100, wrappedDek(0xfe));
    const result = await ctx.storage.push(space, [{ id: record, cursor: 1, dek }]);
    expect(result).toEqual({ ok: true, cursor: 5, deletedFileIds: [fileId] });
    expect(await ctx.storage.fileExists(space, fileId)).toBe(false);
    expect(await ctx.storage.fileExists(space, keep)).toBe(true);
    await expectKind(ctx.storage.getFileMetadata(space, fileId), 'FileNotFound');
    // Tombstoning again removes nothing more.
    expect((await ctx.storage.push(space, [{ id: record, cursor: 5 }])).deletedFileIds).toEqual([]);
  });

  it('STORE-REC-04 big batches are written in chunks under one cursor', async () => {
    const space = await createSpace(ctx.storage);
    const ids = Array.from({ length: 2_345 }, () => randomUUID());
    expect(
      (
        await ctx.storage.push(
          space,
          ids.map((id) => change(id, 'x', 0)),
        )
      ).cursor,
    ).toBe(1);
    const result = await ctx.storage.push(
      space,
      ids.map((id, i) => change(id, i % 2 ? 'y' : undefined, 1)),
    );
    expect(result).toMatchObject({ ok: true, cursor: 2 });
    const pulled = await pullAll(space, 1);
    expect(pulled.recordCount).toBe(ids.length);
    expect(pullRecords(pulled).filter((r) => r.deleted)).toHaveLength(Math.ceil(ids.length / 2));
    // Chunks by bytes too: 5 blobs of 4 MiB exceed one 16 MiB statement.
    const big = Array.from({ length: 5 }, () => ({
      id: randomUUID(),
      blob: new Uint8Array(4 * 1024 * 1024).fill(7),
      cursor: 0,
    }));
    expect((await ctx.storage.push(space, big)).cursor).toBe(3);
  });

  it('STORE-REC-03 STORE-REC-04 one-statement batches of every shape: mixed creates and updates, beyond the named sizes', async () => {
    const space = await createSpace(ctx.storage);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    expect(
      await ctx.storage.push(
        space,
        ids.map((id) => change(id, 'a', 0)),
      ),
    ).toMatchObject({ ok: true, cursor: 1 });
    // Half updates, half new ids, one of the updates stale: nothing is written, the cursor stays.
    const fresh = Array.from({ length: 20 }, () => randomUUID());
    const mixed = [
      ...ids.slice(0, 20).map((id) => change(id, 'b', 1)),
      ...fresh.map((id) => change(id, 'c', 0)),
    ];
    const stale = [...mixed, change(ids[25] as string, 'd', 7)];
    expect(await ctx.storage.push(space, stale)).toEqual({ ok: false, cursor: 0, deletedFileIds: [] });
    expect((await ctx.storage.getSpace(space)).cursor).toBe(1);
    expect(await ctx.storage.recordExists(space, fresh[0] as string)).toBe(false);
    // The same batch without the stale change goes through under one cursor.
    expect(await ctx.storage.push(space, mixed)).toMatchObject({ ok: true, cursor: 2 });
    const pulled = pullRecords(await pullAll(space, 1));
    expect(pulled).toHaveLength(40);
    expect(pulled.every((r) => r.cursor === 2)).toBe(true);
    // A DEK is written and an update without one clears it.
    const withDek = randomUUID();
    await ctx.storage.push(space, [change(withDek, 'e', 0, wrappedDek(3))]);
    expect(pullRecords(await pullAll(space, 2))[0]?.dek).toEqual(wrappedDek(3));
    await ctx.storage.push(space, [change(withDek, 'f', 3)]);
    expect(pullRecords(await pullAll(space, 3))[0]?.dek).toBeUndefined();
  });
});

describe('push limits', () => {
  const ctx = useTestStorage({ limits: { maxRecordsPerPush: 3, maxBlobBytes: 4, maxPushPayloadBytes: 6 } });

  it('STORE-REC-01 record and payload limits, checked in the reference order', async () => {
    const space = await createSpace(ctx.storage);
    const four = [RECORD_1, RECORD_2, RECORD_3, randomUUID()].map((id) => change(id, 'x', 0));
    const tooMany = await expectKind(ctx.storage.push(space, four), 'PushRecordLimitExceeded');
    expect(tooMany.message).toBe('push exceeds record limit');
    // The record limit is checked before ids; ids before blob sizes; blob sizes before the payload sum.
    await expectKind(
      ctx.storage.push(space, [...four.slice(0, 3), change('bad', 'x', 0)]),
      'PushRecordLimitExceeded',
    );
    await expectKind(
      ctx.storage.push(space, [change(RECORD_1, 'xxxxx', 0), change('bad', 'x', 0)]),
      'BlobTooLarge',
    );
    await expectKind(
      ctx.storage.push(space, [change(RECORD_1, 'xxxx', 0), change('bad', 'x', 0)]),
      'InvalidRecordId',
    );
    const payload = await expectKind(
      ctx.storage.push(space, [change(RECORD_1, 'xxxx', 0), change(RECORD_2, 'xxx', 0)]),
      'PushPayloadLimitExceeded',
    );
    expect(payload.message).toBe('push exceeds payload limit');
    expect((await ctx.storage.push(space, [change(RECORD_1, 'xxxx', 0), change(RECORD_2, 'xx', 0)])).ok).toBe(
      true,
    );
  });
});
