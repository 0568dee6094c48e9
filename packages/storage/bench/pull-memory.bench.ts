/**
 * Pull memory stays flat whatever the space's size and its records' sizes: streams spaces of
 * 2,000 and 200,000 small records and of 120 records of 2 MiB (240 MiB), page by page, and prints
 * the live memory (heap + Buffers, after a forced GC, sampled every page), the peak seen, and the
 * largest page, above the baseline. For contrast it also prints what `collect()` (everything in
 * memory) holds for the small-record spaces. Needs TEST_DATABASE_URL.
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
const LARGE_COUNT = 120;
const LARGE_BLOB = new Uint8Array(2 * 1024 * 1024).fill(0x33);
const LARGE_BATCH = 8;
const MiB = 1024 * 1024;

/** Record ids are global across spaces: every seeded space takes fresh ones. */
let nextId = 1;

async function seed(ctx: BenchContext, records: number, blob = BLOB, batch = BATCH): Promise<string> {
  const space = (await ctx.storage.getOrCreateSpace(randomUUID(), 'bench-client')).id;
  for (let start = 0; start < records; start += batch) {
    const count = Math.min(batch, records - start);
    const changes = Array.from({ length: count }, (_, i) => ({
      id: benchRecordId(nextId + start + i),
      blob,
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
  largestPage?: number;
}

/** JS heap plus Buffers (blobs live outside the heap). */
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function streamed(ctx: BenchContext, space: string): Promise<Measure> {
  gc();
  const base = used();
  let live = 0;
  let peak = 0;
  let entries = 0;
  let largestPage = 0;
  const start = performance.now();
  const stream = await ctx.storage.streamPull(space, 0);
  for await (const page of stream.pages()) {
    entries += page.length;
    largestPage = Math.max(largestPage, page.length);
    peak = Math.max(peak, used() - base);
    gc();
    live = Math.max(live, used() - base);
  }
  return { entries, liveMiB: live / MiB, peakMiB: peak / MiB, ms: performance.now() - start, largestPage };
}

async function collected(ctx: BenchContext, space: string): Promise<Measure> {
  gc();
  const base = used();
  const start = performance.now();
  const result = await (await ctx.storage.streamPull(space, 0)).collect();
  const ms = performance.now() - start;
  const peak = used() - base;
  gc();
  const live = used() - base;
  return { entries: result.entries.length, liveMiB: live / MiB, peakMiB: peak / MiB, ms };
}

const fmt = (label: string, records: number, m: Measure) =>
  `  ${label.padEnd(9)} ${records.toLocaleString('en-US').padStart(7)} records: ${m.entries.toLocaleString('en-US')} entries, ` +
  `live +${m.liveMiB.toFixed(2)} MiB, peak +${m.peakMiB.toFixed(2)} MiB, ${m.ms.toFixed(0)} ms` +
  (m.largestPage === undefined ? '' : `, largest page ${m.largestPage} rows`) +
  '\n';

describe.skipIf(!benchUrl)('STORE-PULL-05 pull memory vs space size', () => {
  bench(
    'streamed pull memory (see the printed summary)',
    async () => {
      const ctx = await benchContext(benchUrl as string);
      try {
        let out = '\npull memory (heap + Buffers above baseline; 100-byte blobs)\n';
        for (const size of SIZES) {
          const space = await seed(ctx, size);
          await streamed(ctx, space); // warm-up
          out += fmt('streamed', size, await streamed(ctx, space));
          out += fmt('collect()', size, await collected(ctx, space));
        }
        const large = await seed(ctx, LARGE_COUNT, LARGE_BLOB, LARGE_BATCH);
        out += `pull memory, ${LARGE_COUNT} records of 2 MiB (240 MiB in all; 1 MiB pages)\n`;
        out += fmt('streamed', LARGE_COUNT, await streamed(ctx, large));
        process.stdout.write(out);
      } finally {
        await ctx.close();
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
