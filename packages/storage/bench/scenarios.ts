/** The three reference scenarios (STORE-BENCH-02 … 04), seeded once per context. */
import { randomUUID } from 'node:crypto';
import {
  BENCH_BLOB,
  type BenchContext,
  benchContext,
  benchRecordId,
  wrappedDekWithEpoch,
} from './context.js';
import { floorPull } from './floor.js';

export const PULL_HOT_RECORDS = 2_000;
export const FILE_HEAVY_RECORDS = 1_200;
export const FILE_HEAVY_FILES = 5_000;
/** Entries a since-0 pull returns in the file-heavy space: 600 live records + 2,400 live files. */
export const FILE_HEAVY_ENTRIES = 3_000;

/** `streamPull` + `collect()`, as the reference bench measures it. */
export async function ourPull(ctx: BenchContext, spaceId: string): Promise<number> {
  const result = await (await ctx.storage.streamPull(spaceId, 0)).collect();
  return result.entries.length;
}

/** `streamPull` consumed page by page and dropped, as a streaming consumer (the API) reads it. */
export async function ourStreamedPull(ctx: BenchContext, spaceId: string): Promise<number> {
  let entries = 0;
  for await (const page of (await ctx.storage.streamPull(spaceId, 0)).pages()) entries += page.length;
  return entries;
}

function expectCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

export interface PushHot {
  readonly ctx: BenchContext;
  /** Separate spaces so the two variants never wait on each other's space lock. */
  readonly ours: string;
  readonly floor: string;
  nextId(): string;
}

export async function pushHotScenario(url: string): Promise<PushHot> {
  const ctx = await benchContext(url);
  const ours = (await ctx.storage.getOrCreateSpace(randomUUID(), 'bench-client')).id;
  const floor = (await ctx.storage.getOrCreateSpace(randomUUID(), 'bench-client')).id;
  let next = 1;
  return { ctx, ours, floor, nextId: () => benchRecordId(next++) };
}

export interface PullScenario {
  readonly ctx: BenchContext;
  readonly space: string;
  readonly entries: number;
}

export async function pullHotScenario(url: string): Promise<PullScenario> {
  const ctx = await benchContext(url);
  const space = (await ctx.storage.getOrCreateSpace(randomUUID(), 'bench-client')).id;
  const changes = Array.from({ length: PULL_HOT_RECORDS }, (_, i) => ({
    id: benchRecordId(i + 1),
    blob: BENCH_BLOB,
    cursor: 0,
  }));
  await ctx.storage.push(space, changes);
  expectCount('pull_hot entries', await ourPull(ctx, space), PULL_HOT_RECORDS);
  expectCount('pull_hot floor rows', await floorPull(ctx.floor, space), PULL_HOT_RECORDS);
  return { ctx, space, entries: PULL_HOT_RECORDS };
}

export async function fileHeavyScenario(url: string): Promise<PullScenario> {
  const ctx = await benchContext(url);
  const space = (await ctx.storage.getOrCreateSpace(randomUUID(), 'bench-client')).id;
  const dek = wrappedDekWithEpoch(1, 0xaa);
  const ids = Array.from({ length: FILE_HEAVY_RECORDS }, (_, i) => benchRecordId(i + 1));
  await ctx.storage.push(
    space,
    ids.map((id) => ({ id, blob: BENCH_BLOB, cursor: 0, wrappedDek: dek })),
  );
  for (let i = 0; i < FILE_HEAVY_FILES; i += 1) {
    await ctx.storage.recordFile(space, randomUUID(), ids[i % ids.length] as string, 1024 + (i % 256), dek);
  }
  const tombstoned = await ctx.storage.push(
    space,
    ids.slice(0, FILE_HEAVY_RECORDS / 2).map((id) => ({ id, cursor: 1, wrappedDek: dek })),
  );
  // File i belongs to record i mod 1,200: the first 600 records own 2,600 of the 5,000 files.
  expectCount('file_heavy removed files', tombstoned.deletedFileIds.length, 2_600);
  expectCount('file_heavy entries', await ourPull(ctx, space), FILE_HEAVY_ENTRIES);
  expectCount('file_heavy floor rows', await floorPull(ctx.floor, space), FILE_HEAVY_ENTRIES);
  return { ctx, space, entries: FILE_HEAVY_ENTRIES };
}
