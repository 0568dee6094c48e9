/**
 * Races between connections. These need a real server (PGlite has one connection, so nothing there
 * is ever concurrent): each test says so and is skipped on PGlite.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pullFiles, pullRecords, type StorageError } from '../../src/index.js';
import {
  change,
  createRecord,
  createSpace,
  fill,
  memberEntry,
  useTestStorage,
  wrappedDek,
} from './helpers.js';

const N = 12;

describe('concurrency (several connections; real server only)', () => {
  const ctx = useTestStorage({ maxConnections: N });

  function requireServer(skip: (note: string) => void) {
    if (!ctx.t.multiConnection) skip('needs several connections: run with TEST_DATABASE_URL');
  }

  it('STORE-REC-02 STORE-REC-03 concurrent updates at the same expected cursor: exactly one wins', async ({
    skip,
  }) => {
    requireServer(skip);
    const space = await createSpace(ctx.storage);
    const id = await createRecord(ctx.storage, space);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => ctx.storage.push(space, [change(id, `writer ${i}`, 1)])),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.cursor).toBe(2);
    expect(results.filter((r) => !r.ok).every((r) => r.cursor === 0)).toBe(true);
    expect((await ctx.storage.getSpace(space)).cursor).toBe(2);
  });

  it('STORE-GEN-04 concurrent creates get dense, distinct cursors and nothing is lost', async ({ skip }) => {
    requireServer(skip);
    const space = await createSpace(ctx.storage);
    const ids = Array.from({ length: N * 3 }, () => randomUUID());
    const results = await Promise.all(ids.map((id) => ctx.storage.push(space, [change(id, 'x', 0)])));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.cursor).sort((a, b) => a - b)).toEqual(ids.map((_, i) => i + 1));
    const pulled = pullRecords(await (await ctx.storage.streamPull(space, 0)).collect());
    expect(pulled.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect((await ctx.storage.getSpace(space)).cursor).toBe(ids.length);
  });

  it('STORE-REC-03 R20 concurrent creates of one id, in one space or across spaces: one wins, no errors', async ({
    skip,
  }) => {
    requireServer(skip);
    const spaces = await Promise.all(Array.from({ length: 4 }, () => createSpace(ctx.storage)));
    const id = randomUUID();
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        ctx.storage.push(spaces[i % spaces.length] as string, [change(id, 'x', 0)]),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const cursors = await Promise.all(
      spaces.map(async (s) => Number((await ctx.storage.getSpace(s)).cursor)),
    );
    expect(cursors.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('STORE-EPOCH-01 concurrent advances to the same epoch: exactly one wins', async ({ skip }) => {
    requireServer(skip);
    const space = await createSpace(ctx.storage);
    const results = await Promise.allSettled(
      Array.from({ length: N }, () => ctx.storage.advanceEpoch(space, 2)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as StorageError).kind).toBe('EpochConflict');
    }
    expect(await ctx.storage.getSpace(space)).toMatchObject({ key_generation: 2, rewrap_epoch: 2 });
  });

  it('STORE-MEM-01 concurrent appends with the same expected version: exactly one wins', async ({ skip }) => {
    requireServer(skip);
    const space = await createSpace(ctx.storage);
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        ctx.storage.appendMember(space, 0, memberEntry(new Uint8Array(0), fill(32, i), `m${i}`)),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await ctx.storage.getMembers(space, 0)).toHaveLength(1);
    expect(await ctx.storage.getSpace(space)).toMatchObject({ metadata_version: 1, cursor: 1 });
  });

  it('R12 STORE-RATE-05 concurrent rate-limited actions never exceed the limit', async ({ skip }) => {
    requireServer(skip);
    const rule = { action: 'invitation', actorHash: 'a'.repeat(64), limit: 5, windowSeconds: 3600 };
    const decisions = await Promise.all(
      Array.from({ length: N * 2 }, () => ctx.storage.tryRecordAction(rule)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(
      await ctx.storage.countRecentActions(rule.action, rule.actorHash, new Date(Date.now() - 60_000)),
    ).toBe(5);
  });

  it('STORE-SPACE-05 R11 concurrent personal-space auto-creates: one row, everyone gets it', async ({
    skip,
  }) => {
    requireServer(skip);
    const id = randomUUID();
    const spaces = await Promise.all(
      Array.from({ length: N }, () => ctx.storage.getOrCreateSpace(id, 'client-1')),
    );
    expect(spaces.every((s) => s.id === id && s.root_public_key === undefined)).toBe(true);
    const rows = await ctx.t.executor.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM spaces WHERE id = $1',
      [id],
    );
    expect(rows.rows[0]?.n).toBe(1);
    // Racing a shared-space create: whoever wins, a personal lookup never returns a shared space.
    const contested = randomUUID();
    const outcomes = await Promise.allSettled([
      ctx.storage.createSpace(contested, 'owner', new Uint8Array(33).fill(2)),
      ...Array.from({ length: N - 1 }, () => ctx.storage.getOrCreateSpace(contested, 'squatter')),
    ]);
    const stored = await ctx.storage.getSpace(contested);
    for (const o of outcomes.slice(1)) {
      if (stored.root_public_key)
        expect(o.status === 'rejected' && (o.reason as StorageError).kind).toBe('SpaceNotPersonal');
      else expect(o.status).toBe('fulfilled');
    }
  });

  it('R20 files recorded while their record is tombstoned never survive on a dead record', async ({
    skip,
  }) => {
    requireServer(skip);
    const space = await createSpace(ctx.storage);
    const record = await createRecord(ctx.storage, space);
    const uploads = Array.from({ length: N }, () =>
      ctx.storage
        .recordFile(space, randomUUID(), record, 1, wrappedDek(1))
        .catch((e: StorageError) => e.kind),
    );
    const tombstone = ctx.storage.push(space, [change(record, undefined, 1)]);
    const outcomes = await Promise.all(uploads);
    expect((await tombstone).ok).toBe(true);
    expect(outcomes.every((o) => typeof o === 'number' || o === 'RecordNotFound')).toBe(true);
    const files = pullFiles(await (await ctx.storage.streamPull(space, -1)).collect());
    expect(files.filter((f) => !f.deleted)).toEqual([]);
    // Every upload that won its race before the tombstone shows up as removed.
    expect(files).toHaveLength(outcomes.filter((o) => typeof o === 'number').length);
  });

  it('STORE-PULL-01 a pull during concurrent pushes sees whole batches only', async ({ skip }) => {
    requireServer(skip);
    const space = await createSpace(ctx.storage);
    const batches = Array.from({ length: 8 }, () => Array.from({ length: 25 }, () => randomUUID()));
    const pushes = batches.map((ids) =>
      ctx.storage.push(
        space,
        ids.map((id) => change(id, 'x', 0)),
      ),
    );
    const pulls = Array.from({ length: 4 }, () => ctx.storage.streamPull(space, 0).then((s) => s.collect()));
    await Promise.all(pushes);
    for (const pulled of await Promise.all(pulls)) {
      const perCursor = new Map<number, number>();
      for (const r of pullRecords(pulled))
        perCursor.set(Number(r.cursor), (perCursor.get(Number(r.cursor)) ?? 0) + 1);
      expect([...perCursor.values()].every((n) => n === 25)).toBe(true);
      expect(perCursor.size).toBe(pulled.cursor);
    }
  });
});
