import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/index.js';
import { createRecord, createSpace, expectKind, useTestStorage, wrappedDekWithEpoch } from './helpers.js';

describe('epochs and record DEKs', () => {
  const ctx = useTestStorage();

  it('STORE-EPOCH-01 STORE-EPOCH-02 STORE-EPOCH-05 a pending rewrap blocks the next advance until completed (advance_epoch_conflict_and_rewrap_flow)', async () => {
    const space = await createSpace(ctx.storage);
    expect(await ctx.storage.advanceEpoch(space, 2)).toEqual({ epoch: 2 });
    expect(await ctx.storage.getSpace(space)).toMatchObject({
      key_generation: 2,
      rewrap_epoch: 2,
      min_key_generation: 1,
      cursor: 0,
    });
    const conflict = await expectKind(ctx.storage.advanceEpoch(space, 3), 'EpochConflict');
    expect(conflict.epochConflict).toEqual({ currentEpoch: 2, rewrapEpoch: 2 });
    expect(conflict.message).toBe('epoch conflict: rewrap in progress');
    await ctx.storage.completeRewrap(space, 2);
    expect(await ctx.storage.advanceEpoch(space, 3)).toEqual({ epoch: 3 });
  });

  it('STORE-EPOCH-01 skipping an epoch conflicts; set_min moves min_key_generation (advance_epoch_sets_min_generation_and_handles_mismatch)', async () => {
    const space = await createSpace(ctx.storage);
    const mismatch = await expectKind(ctx.storage.advanceEpoch(space, 3), 'EpochConflict');
    expect(mismatch.epochConflict).toEqual({ currentEpoch: 1, rewrapEpoch: undefined });
    expect(mismatch.message).toBe('epoch conflict: epoch mismatch');
    await expectKind(ctx.storage.advanceEpoch(space, 1), 'EpochConflict');
    await expectKind(ctx.storage.advanceEpoch(space, -2_147_483_648), 'EpochConflict');
    await ctx.storage.advanceEpoch(space, 2, { setMinKeyGeneration: true });
    expect((await ctx.storage.getSpace(space)).min_key_generation).toBe(2);
  });

  it('STORE-EPOCH-02 complete_rewrap checks the pending epoch and the space (complete_rewrap_validates_epoch_and_space_existence)', async () => {
    const space = await createSpace(ctx.storage);
    const none = await expectKind(ctx.storage.completeRewrap(space, 1), 'EpochMismatch');
    expect(none.message).toBe('epoch mismatch');
    await ctx.storage.advanceEpoch(space, 2);
    await expectKind(ctx.storage.completeRewrap(space, 3), 'EpochMismatch');
    await ctx.storage.completeRewrap(space, 2);
    expect((await ctx.storage.getSpace(space)).rewrap_epoch).toBeUndefined();
    await expectKind(ctx.storage.completeRewrap(randomUUID(), 2), 'SpaceNotFound');
  });

  it('STORE-EPOCH-03 STORE-EPOCH-04 STORE-EPOCH-05 get_deks and rewrap_deks with epoch validation (get_deks_and_rewrap_deks_epoch_validation)', async () => {
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space, wrappedDekWithEpoch(1, 0xaa));
    await createRecord(ctx.storage, space); // no DEK: not listed
    expect(await ctx.storage.getDeks(space, 0)).toEqual([
      { id: record, wrappedDek: wrappedDekWithEpoch(1, 0xaa), cursor: 1 },
    ]);
    await ctx.storage.advanceEpoch(space, 2);
    const wrong = await expectKind(
      ctx.storage.rewrapDeks(space, [{ id: record, wrappedDek: wrappedDekWithEpoch(1, 0xbb), cursor: 0 }]),
      'DekEpochMismatch',
    );
    expect(wrong.message).toBe('DEK epoch mismatch');
    await expectKind(
      ctx.storage.rewrapDeks(space, [
        { id: 'not-a-uuid', wrappedDek: wrappedDekWithEpoch(2, 0xbb), cursor: 0 },
      ]),
      'InvalidRecordId',
    );
    await ctx.storage.rewrapDeks(space, [
      { id: record, wrappedDek: wrappedDekWithEpoch(2, 0xcc), cursor: 0 },
    ]);
    expect(await ctx.storage.getDeks(space, 0)).toEqual([
      { id: record, wrappedDek: wrappedDekWithEpoch(2, 0xcc), cursor: 1 },
    ]);
    const missing = await expectKind(
      ctx.storage.rewrapDeks(space, [
        { id: randomUUID(), wrappedDek: wrappedDekWithEpoch(2, 0xdd), cursor: 0 },
      ]),
      'DekRecordNotFound',
    );
    expect(missing.message).toBe('DEK record not found');
  });

  it('STORE-EPOCH-01 a missing space is SpaceNotFound (advance_epoch_space_not_found)', async () => {
    await expectKind(ctx.storage.advanceEpoch(randomUUID(), 2), 'SpaceNotFound');
  });

  it('STORE-EPOCH-04 validate-and-apply is interleaved and all-or-nothing; lenient id spellings', async () => {
    const space = await createSpace(ctx.storage);
    const a = await createRecord(ctx.storage, space, wrappedDekWithEpoch(1, 1));
    const b = await createRecord(ctx.storage, space, wrappedDekWithEpoch(1, 1));
    // [missing record, wrong epoch] → the missing record is met first (contrast STORE-FILE-05).
    await expectKind(
      ctx.storage.rewrapDeks(space, [
        { id: randomUUID(), wrappedDek: wrappedDekWithEpoch(1, 2), cursor: 0 },
        { id: a, wrappedDek: wrappedDekWithEpoch(9, 2), cursor: 0 },
      ]),
      'DekRecordNotFound',
    );
    // A later failure rolls back the earlier update.
    await expectKind(
      ctx.storage.rewrapDeks(space, [
        { id: a, wrappedDek: wrappedDekWithEpoch(1, 3), cursor: 0 },
        { id: b, wrappedDek: wrappedDekWithEpoch(9, 3), cursor: 0 },
      ]),
      'DekEpochMismatch',
    );
    expect((await ctx.storage.getDeks(space, 0)).map((d) => d.wrappedDek[4])).toEqual([1, 1]);
    await ctx.storage.rewrapDeks(space, [
      { id: a.replaceAll('-', '').toUpperCase(), wrappedDek: wrappedDekWithEpoch(1, 4), cursor: 0 },
      { id: `{${b}}`, wrappedDek: wrappedDekWithEpoch(1, 5), cursor: 0 },
    ]);
    await ctx.storage.rewrapDeks(space, [
      { id: `urn:uuid:${a}`, wrappedDek: wrappedDekWithEpoch(1, 6), cursor: 0 },
    ]);
    expect((await ctx.storage.getDeks(space, 0)).map((d) => [d.id, d.wrappedDek[4]])).toEqual([
      [a, 6],
      [b, 5],
    ]);
    expect((await ctx.storage.getSpace(space)).cursor).toBe(2);
  });

  it('STORE-EPOCH-04 STORE-EPOCH-03 empty rewrap is a no-op; unknown space lists nothing', async () => {
    await expect(ctx.storage.rewrapDeks(randomUUID(), [])).resolves.toBeUndefined();
    expect(await ctx.storage.getDeks(randomUUID(), 0)).toEqual([]);
    await expectKind(
      ctx.storage.rewrapDeks(randomUUID(), [
        { id: randomUUID(), wrappedDek: wrappedDekWithEpoch(1, 1), cursor: 0 },
      ]),
      'SpaceNotFound',
    );
    expect(new StorageError('EpochConflict').message).toBe('epoch conflict: epoch mismatch');
  });
});
