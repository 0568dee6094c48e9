/**
 * Pull memory stays flat as the space grows: streams a 2,000-record and a 200,000-record space
 * entry by entry and prints the live heap (after a forced GC, sampled every page) and the peak
 * heap seen, above the baseline. For contrast it also prints what `collect()` (everything in
 * memory) holds for the same spaces. Needs TEST_DATABASE_URL.
 */
import { randomUUID } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { bench, describe } from 'vitest';
import { type BenchContext, benchContext, benchRecordId, benchUrl, skipNotice } from './context.js';

skipNotice('pull memory (2,000 vs 200,000 records)');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const SIZES = [2_000, 200_000] as const;
const BATCH = 20_000;
const BLOB = new Uint8Array(100).fill(0x5a);
const MiB = 1024 * 1024;

/** Record ids are global across spaces: every seeded space takes fresh ones. */
let nextId = 1;

async function seed(ctx: BenchContext, records: number): Promise<string> {
  const space = (await ctx.storage.getOrCreateSpace(randomUUID(), 'bench-client')).id;
  for (let start = 0; start < records; start += BATCH) {
    const count = Math.min(BATCH, records - start);
    const changes = Array.from({ length: count }, (_, i) => ({
      id: benchRecordId(nextId + start + i),
      blob: BLOB,
      cursor: 0,
    }));
    const result = await ctx.storage.push(space, changes);
    if (!result.ok) throw new Error('seed push conflicted');
  }
  nextId += records;
  return space;
}

interface Measure {
  entries: number;
  liveMiB: number;
  peakMiB: number;
  ms: number;
}

async function streamed(ctx: BenchContext, space: string): Promise<Measure> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let live = 0;
  let peak = 0;
  let entries = 0;
  const start = performance.now();
  const stream = await ctx.storage.streamPull(space, 0);
  for await (const page of stream.pages()) {
    entries += page.length;
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    gc();
    live = Math.max(live, process.memoryUsage().heapUsed - base);
  }
  return { entries, liveMiB: live / MiB, peakMiB: peak / MiB, ms: performance.now() - start };
}

async function collected(ctx: BenchContext, space: string): Promise<Measure> {
  gc();
  const base = process.memoryUsage().heapUsed;
  const start = performance.now();
  const result = await (await ctx.storage.streamPull(space, 0)).collect();
  const ms = performance.now() - start;
  const peak = process.memoryUsage().heapUsed - base;
  gc();
  const live = process.memoryUsage().heapUsed - base;
  return { entries: result.entries.length, liveMiB: live / MiB, peakMiB: peak / MiB, ms };
}

const fmt = (label: string, records: number, m: Measure) =>
  `  ${label.padEnd(9)} ${records.toLocaleString('en-US').padStart(7)} records: ${m.entries.toLocaleString('en-US')} entries, ` +
  `live heap +${m.liveMiB.toFixed(2)} MiB, peak +${m.peakMiB.toFixed(2)} MiB, ${m.ms.toFixed(0)} ms\n`;

describe.skipIf(!benchUrl)('STORE-PULL-05 pull memory vs space size', () => {
  bench(
    'streamed pull memory (see the printed summary)',
    async () => {
      const ctx = await benchContext(benchUrl as string);
      try {
        let out = '\npull memory (heap above baseline; 100-byte blobs)\n';
        for (const size of SIZES) {
          const space = await seed(ctx, size);
          await streamed(ctx, space); // warm-up
          out += fmt('streamed', size, await streamed(ctx, space));
          out += fmt('collect()', size, await collected(ctx, space));
        }
        process.stdout.write(out);
      } finally {
        await ctx.close();
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
