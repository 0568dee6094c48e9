/**
 * The `expectPersonal` push guard (R11, STORE-REC-02): the lock statement itself checks the space is a
 * local personal one, so a mismatch writes nothing and the API falls back to its full authorization.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pullRecords } from '../../src/index.js';
import { change, createSpace, expectKind, RECORD_1, RECORD_2, RECORD_3, useTestStorage } from './helpers.js';

const GUARD = { expectPersonal: true } as const;
const ROOT_KEY = new Uint8Array(33).fill(2);

describe('push guard (expectPersonal)', () => {
  const ctx = useTestStorage();
  const records = async (space: string) =>
    pullRecords(await (await ctx.storage.streamPull(space, 0)).collect());

  it('R11 STORE-REC-04 a local personal space is written and reports its key generation and rewrap epoch', async () => {
    const space = await createSpace(ctx.storage);
    expect(await ctx.storage.push(space, [change(RECORD_1, 'a', 0)], GUARD)).toEqual({
      ok: true,
      cursor: 1,
      deletedFileIds: [],
      keyGeneration: 1,
    });
    await ctx.storage.advanceEpoch(space, 2);
    expect(await ctx.storage.push(space, [change(RECORD_1, 'b', 1)], GUARD)).toEqual({
      ok: true,
      cursor: 2,
      deletedFileIds: [],
      keyGeneration: 2,
      rewrapEpoch: 2,
    });
    expect((await ctx.storage.getSpace(space)).cursor).toBe(2);
  });

  it('R11 STORE-REC-06 an empty guarded push returns the cursor and keys; an unmatched one fails', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'a', 0)]);
    expect(await ctx.storage.push(space, [], GUARD)).toEqual({
      ok: true,
      cursor: 1,
      deletedFileIds: [],
      keyGeneration: 1,
    });
    await expectKind(ctx.storage.push(randomUUID(), [], GUARD), 'PushGuardFailed');
    const shared = randomUUID();
    await ctx.storage.createSpace(shared, 'c', ROOT_KEY);
    await expectKind(ctx.storage.push(shared, [], GUARD), 'PushGuardFailed');
  });

  it('R11 a shared space fails the guard and nothing is written, cursor unchanged', async () => {
    const shared = randomUUID();
    await ctx.storage.createSpace(shared, 'c', ROOT_KEY);
    await ctx.storage.push(shared, [change(RECORD_1, 'a', 0)]);
    const error = await expectKind(
      ctx.storage.push(shared, [change(RECORD_2, 'b', 0), change(RECORD_1, 'c', 1)], GUARD),
      'PushGuardFailed',
    );
    expect(error.message).toBe('space is not a local personal space');
    expect((await ctx.storage.getSpace(shared)).cursor).toBe(1);
    const stored = await records(shared);
    expect(stored.map((r) => r.id)).toEqual([RECORD_1]);
    expect(await ctx.storage.recordExists(shared, RECORD_2)).toBe(false);
  });

  it('R11 a missing space fails the guard (never SpaceNotFound) and is not created', async () => {
    const missing = randomUUID();
    await expectKind(ctx.storage.push(missing, [change(RECORD_1, 'a', 0)], GUARD), 'PushGuardFailed');
    await expectKind(ctx.storage.getSpace(missing), 'SpaceNotFound');
  });

  it('R11 FED a personal space homed on any server fails the guard; nothing is written', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.setSpaceHomeServer(space, 'peer.example');
    await expectKind(ctx.storage.push(space, [change(RECORD_1, 'a', 0)], GUARD), 'PushGuardFailed');
    expect((await ctx.storage.getSpace(space)).cursor).toBe(0);
    expect(await ctx.storage.recordExists(space, RECORD_1)).toBe(false);
    // Unguarded, the same push still goes through: the guard only narrows, never widens.
    expect((await ctx.storage.push(space, [change(RECORD_1, 'a', 0)])).ok).toBe(true);
  });

  it('STORE-REC-03 a conflict under the guard rolls back as before and carries no keys', async () => {
    const space = await createSpace(ctx.storage);
    await ctx.storage.push(space, [change(RECORD_1, 'a', 0)], GUARD);
    const result = await ctx.storage.push(space, [change(RECORD_2, 'b', 0), change(RECORD_1, 'c', 5)], GUARD);
    expect(result).toEqual({ ok: false, cursor: 0, deletedFileIds: [] });
    expect((await ctx.storage.getSpace(space)).cursor).toBe(1);
    expect(await ctx.storage.recordExists(space, RECORD_2)).toBe(false);
  });

  it('STORE-REC-01 validation still comes first: a bad batch fails before the guard is read', async () => {
    await expectKind(ctx.storage.push(randomUUID(), [change('nope', 'a', 0)], GUARD), 'InvalidRecordId');
  });
});

describe('push guard concurrency (several connections; real server only)', () => {
  const N = 12;
  const ctx = useTestStorage({ maxConnections: N });

  it('STORE-GEN-04 R11 concurrent guarded creates get dense, distinct cursors', async ({ skip }) => {
    if (!ctx.t.multiConnection) skip('needs several connections: run with TEST_DATABASE_URL');
    const space = await createSpace(ctx.storage);
    const ids = Array.from({ length: N * 3 }, () => randomUUID());
    const results = await Promise.all(
      ids.map((id, i) => ctx.storage.push(space, [change(id, 'x', 0)], i % 2 === 0 ? GUARD : undefined)),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.cursor).sort((a, b) => a - b)).toEqual(ids.map((_, i) => i + 1));
    expect((await ctx.storage.getSpace(space)).cursor).toBe(ids.length);
  });

  it('R11 a space re-homed mid-flight: guarded pushes after the change write nothing', async ({ skip }) => {
    if (!ctx.t.multiConnection) skip('needs several connections: run with TEST_DATABASE_URL');
    const space = await createSpace(ctx.storage);
    const first = ctx.storage.push(space, [change(RECORD_1, 'a', 0)], GUARD);
    const moved = ctx.storage.setSpaceHomeServer(space, 'peer.example');
    const [pushed] = await Promise.allSettled([first, moved]);
    await expectKind(ctx.storage.push(space, [change(RECORD_3, 'c', 0)], GUARD), 'PushGuardFailed');
    const cursor = (await ctx.storage.getSpace(space)).cursor;
    expect(cursor).toBe(pushed.status === 'fulfilled' ? 1 : 0);
    expect(await ctx.storage.recordExists(space, RECORD_3)).toBe(false);
  });
});
