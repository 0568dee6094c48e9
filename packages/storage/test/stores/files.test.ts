import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pullFiles } from '../../src/index.js';
import {
  change,
  createRecord,
  createSpace,
  expectKind,
  useTestStorage,
  wrappedDek,
  wrappedDekWithEpoch,
} from './helpers.js';

describe('files', () => {
  const ctx = useTestStorage();

  it('STORE-FILE-01 STORE-FILE-02 record_file allocates a cursor; metadata round-trips (record_file_roundtrip)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    const dek = wrappedDek(0xfe);
    const cursor = await ctx.storage.recordFile(space, fileId, record, 100, dek);
    expect(cursor).toBe(2);
    expect(await ctx.storage.getFileMetadata(space, fileId)).toEqual({
      id: fileId,
      recordId: record,
      size: 100,
      wrappedDek: dek,
      cursor: 2,
    });
    expect((await ctx.storage.getSpace(space)).cursor).toBe(2);
  });

  it('STORE-FILE-01 recording a file twice returns undefined and keeps the cursor (record_file_is_idempotent_without_cursor_advance)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    const first = await ctx.storage.recordFile(space, fileId, record, 100, wrappedDek(0xfe));
    expect(await ctx.storage.recordFile(space, fileId, record, 999, wrappedDek(0x01))).toBeUndefined();
    expect((await ctx.storage.getSpace(space)).cursor).toBe(first);
    // The stored row is not updated by the repeat.
    expect((await ctx.storage.getFileMetadata(space, fileId)).size).toBe(100);
  });

  it('STORE-FILE-01 DEK length is checked before size; size 0 is fine (record_file_validates_wrapped_dek_and_size)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const badDek = await expectKind(
      ctx.storage.recordFile(space, randomUUID(), record, -1, new Uint8Array(5)),
      'InvalidWrappedDek',
    );
    expect(badDek.message).toBe('wrapped DEK must be exactly 44 bytes');
    const badSize = await expectKind(
      ctx.storage.recordFile(space, randomUUID(), record, -1, wrappedDek(0xfe)),
      'InvalidFileSize',
    );
    expect(badSize.message).toBe('file size must be non-negative');
    expect(await ctx.storage.recordFile(space, randomUUID(), record, 0, wrappedDek(0xfe))).toBe(2);
  });

  it('STORE-FILE-01 a missing space is SpaceNotFound', async () => {
    await expectKind(
      ctx.storage.recordFile(randomUUID(), randomUUID(), randomUUID(), 1, wrappedDek(1)),
      'SpaceNotFound',
    );
  });

  it('R20 a file needs a live record of the same space', async () => {
    const a = await createSpace(ctx.storage);
    const b = await createSpace(ctx.storage);
    const recordA = await createRecord(ctx.storage, a);
    // Unknown record, a record of another space, a tombstoned record: all RecordNotFound, no cursor used.
    const unknown = await expectKind(
      ctx.storage.recordFile(a, randomUUID(), randomUUID(), 1, wrappedDek(1)),
      'RecordNotFound',
    );
    expect(unknown.message).toBe('record not found');
    await expectKind(ctx.storage.recordFile(b, randomUUID(), recordA, 1, wrappedDek(1)), 'RecordNotFound');
    await ctx.storage.push(a, [change(recordA, undefined, 1)]);
    await expectKind(ctx.storage.recordFile(a, randomUUID(), recordA, 1, wrappedDek(1)), 'RecordNotFound');
    expect((await ctx.storage.getSpace(a)).cursor).toBe(2);
    expect((await ctx.storage.getSpace(b)).cursor).toBe(0);
  });

  it('STORE-FILE-01 R19 a file removed by a tombstone can be recorded again after resurrection', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    await ctx.storage.recordFile(space, fileId, record, 10, wrappedDek(1));
    await ctx.storage.push(space, [change(record, undefined, 1)]);
    await ctx.storage.push(space, [change(record, 'back', 3)]);
    expect(await ctx.storage.recordFile(space, fileId, record, 20, wrappedDek(2))).toBe(5);
    expect(await ctx.storage.getFileMetadata(space, fileId)).toMatchObject({ size: 20, cursor: 5 });
    const files = pullFiles(await (await ctx.storage.streamPull(space, 0)).collect());
    expect(files).toMatchObject([{ id: fileId, deleted: false, cursor: 5 }]);
  });

  it('STORE-FILE-02 missing metadata is FileNotFound (get_file_metadata_not_found)', async () => {
    const space = await createSpace(ctx.storage);
    const error = await expectKind(ctx.storage.getFileMetadata(space, randomUUID()), 'FileNotFound');
    expect(error.message).toBe('file not found');
  });

  it('STORE-FILE-03 file_exists is scoped to the space (file_exists_and_isolation)', async () => {
    const a = await createSpace(ctx.storage);
    const b = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, a);
    const fileId = randomUUID();
    expect(await ctx.storage.fileExists(a, fileId)).toBe(false);
    await ctx.storage.recordFile(a, fileId, record, 100, wrappedDek(0xfe));
    expect(await ctx.storage.fileExists(a, fileId)).toBe(true);
    expect(await ctx.storage.fileExists(b, fileId)).toBe(false);
  });

  it('STORE-FILE-01 the same file id in another space is another file', async () => {
    const a = await createSpace(ctx.storage);
    const b = await createSpace(ctx.storage);
    const fileId = randomUUID();
    await ctx.storage.recordFile(a, fileId, await createRecord(ctx.storage, a), 1, wrappedDek(1));
    expect(
      await ctx.storage.recordFile(b, fileId, await createRecord(ctx.storage, b), 2, wrappedDek(2)),
    ).toBe(2);
  });

  it('STORE-FILE-04 get_file_deks honours since, in cursor order (get_file_deks_respects_since_cursor)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const a = randomUUID();
    const b = randomUUID();
    await ctx.storage.recordFile(space, a, record, 100, wrappedDek(0xaa));
    const all = await ctx.storage.getFileDeks(space, 0);
    expect(all).toEqual([{ id: a, wrappedDek: wrappedDek(0xaa), cursor: 2 }]);
    await ctx.storage.recordFile(space, b, record, 200, wrappedDek(0xbb));
    expect((await ctx.storage.getFileDeks(space, 2)).map((d) => d.id)).toEqual([b]);
    expect((await ctx.storage.getFileDeks(space, 0)).map((d) => d.id)).toEqual([a, b]);
    expect(await ctx.storage.getFileDeks(randomUUID(), 0)).toEqual([]);
  });

  it('STORE-FILE-05 rewrap replaces the DEK without moving cursors (rewrap_file_deks_roundtrip)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    await ctx.storage.recordFile(space, fileId, record, 100, wrappedDekWithEpoch(1, 0xaa));
    const fresh = wrappedDekWithEpoch(1, 0xcc);
    await ctx.storage.rewrapFileDeks(space, [{ id: fileId, wrappedDek: fresh, cursor: 0 }]);
    expect(await ctx.storage.getFileMetadata(space, fileId)).toMatchObject({ wrappedDek: fresh, cursor: 2 });
    expect((await ctx.storage.getSpace(space)).cursor).toBe(2);
  });

  it('STORE-FILE-05 a DEK of another epoch is DekEpochMismatch (rewrap_file_deks_epoch_mismatch)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    await ctx.storage.recordFile(space, fileId, record, 100, wrappedDekWithEpoch(1, 0xaa));
    await ctx.t.executor.query('UPDATE spaces SET key_generation = 2 WHERE id = $1', [space]);
    const error = await expectKind(
      ctx.storage.rewrapFileDeks(space, [
        { id: fileId, wrappedDek: wrappedDekWithEpoch(1, 0xcc), cursor: 0 },
      ]),
      'DekEpochMismatch',
    );
    expect(error.message).toBe('DEK epoch mismatch');
    // A DEK with no epoch (negative / too short) is a mismatch too.
    await expectKind(
      ctx.storage.rewrapFileDeks(space, [{ id: fileId, wrappedDek: wrappedDek(0xfe), cursor: 0 }]),
      'DekEpochMismatch',
    );
  });

  it('STORE-FILE-05 an unknown file is FileDekNotFound and nothing is written (rewrap_file_deks_missing_file)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const fileId = randomUUID();
    await ctx.storage.recordFile(space, fileId, record, 100, wrappedDekWithEpoch(1, 0xaa));
    const error = await expectKind(
      ctx.storage.rewrapFileDeks(space, [
        { id: fileId, wrappedDek: wrappedDekWithEpoch(1, 0xcc), cursor: 0 },
        { id: randomUUID(), wrappedDek: wrappedDekWithEpoch(1, 0xcc), cursor: 0 },
      ]),
      'FileDekNotFound',
    );
    expect(error.message).toBe('file DEK record not found');
    expect((await ctx.storage.getFileMetadata(space, fileId)).wrappedDek).toEqual(
      wrappedDekWithEpoch(1, 0xaa),
    );
  });

  it('STORE-FILE-05 every epoch is validated before any update', async () => {
    const space = await createSpace(ctx.storage);
    // [missing file, wrong epoch] → the epoch error wins (contrast STORE-EPOCH-04).
    await expectKind(
      ctx.storage.rewrapFileDeks(space, [
        { id: randomUUID(), wrappedDek: wrappedDekWithEpoch(1, 1), cursor: 0 },
        { id: randomUUID(), wrappedDek: wrappedDekWithEpoch(7, 1), cursor: 0 },
      ]),
      'DekEpochMismatch',
    );
    await expectKind(
      ctx.storage.rewrapFileDeks(randomUUID(), [
        { id: randomUUID(), wrappedDek: wrappedDekWithEpoch(1, 1), cursor: 0 },
      ]),
      'SpaceNotFound',
    );
  });

  it('STORE-FILE-05 an empty rewrap is a no-op, even for a missing space (rewrap_file_deks_empty_is_noop)', async () => {
    const space = await createSpace(ctx.storage);
    await expect(ctx.storage.rewrapFileDeks(space, [])).resolves.toBeUndefined();
    await expect(ctx.storage.rewrapFileDeks(randomUUID(), [])).resolves.toBeUndefined();
  });

  it('STORE-FILE-06 deletes the files of the given records and returns their ids (delete_files_for_records_deletes_and_returns_ids)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const a = randomUUID();
    const b = randomUUID();
    await ctx.storage.recordFile(space, a, record, 100, wrappedDek(0xaa));
    await ctx.storage.recordFile(space, b, record, 200, wrappedDek(0xbb));
    const deleted = await ctx.storage.deleteFilesForRecords(space, [record]);
    expect([...deleted].sort()).toEqual([a, b].sort());
    expect(await ctx.storage.fileExists(space, a)).toBe(false);
    expect(await ctx.storage.fileExists(space, b)).toBe(false);
    // R19: the removal is reported to incremental pullers at one new cursor.
    const files = pullFiles(await (await ctx.storage.streamPull(space, 3)).collect());
    expect(files.map((f) => [f.deleted, f.cursor])).toEqual([
      [true, 4],
      [true, 4],
    ]);
    expect(await ctx.storage.getFileDeks(space, 0)).toEqual([]);
    // Nothing left to delete: no cursor is used.
    expect(await ctx.storage.deleteFilesForRecords(space, [record])).toEqual([]);
    expect((await ctx.storage.getSpace(space)).cursor).toBe(4);
    expect(await ctx.storage.deleteFilesForRecords(randomUUID(), [record])).toEqual([]);
  });

  it('STORE-FILE-06 an empty list deletes nothing (delete_files_for_records_empty_returns_empty)', async () => {
    const space = await createSpace(ctx.storage);
    expect(await ctx.storage.deleteFilesForRecords(space, [])).toEqual([]);
  });

  it('R22 STORE-JOB-01 orphan lookup: only blobs without live metadata are reported, in input order', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const live = randomUUID();
    const removed = randomUUID();
    await ctx.storage.recordFile(space, live, record, 1, wrappedDek(1));
    const other = await createRecord(ctx.storage, space);
    await ctx.storage.recordFile(space, removed, other, 1, wrappedDek(1));
    expect((await ctx.storage.push(space, [change(other, undefined, 3)])).deletedFileIds).toEqual([removed]);
    const never = randomUUID();
    const candidates = [
      { spaceId: space, fileId: never },
      { spaceId: space, fileId: live },
      { spaceId: space, fileId: removed },
      { spaceId: randomUUID(), fileId: live },
    ];
    expect(await ctx.storage.findOrphanedFiles(candidates)).toEqual([
      candidates[0],
      candidates[2],
      candidates[3],
    ]);
    expect(await ctx.storage.findOrphanedFiles([])).toEqual([]);
    expect(await ctx.storage.findOrphanedFiles([{ spaceId: space, fileId: 'upload.tmp' }])).toEqual([]);
  });

  it('R22 STORE-JOB-01 removed files are listed in (space, file) pages for a retrying blob sweep', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const ids = [randomUUID(), randomUUID(), randomUUID()].sort();
    for (const id of ids) await ctx.storage.recordFile(space, id, record, 1, wrappedDek(1));
    await ctx.storage.recordFile(
      space,
      randomUUID(),
      await createRecord(ctx.storage, space),
      1,
      wrappedDek(1),
    );
    await ctx.storage.push(space, [change(record, undefined, 1)]);
    const first = await ctx.storage.listDeletedFiles({ limit: 2 });
    expect(first).toEqual(ids.slice(0, 2).map((fileId) => ({ spaceId: space, fileId })));
    const rest = await ctx.storage.listDeletedFiles({ after: first[1], limit: 10 });
    expect(rest).toEqual([{ spaceId: space, fileId: ids[2] }]);
    expect(await ctx.storage.listDeletedFiles({ limit: 0 })).toEqual([]);
  });
});
