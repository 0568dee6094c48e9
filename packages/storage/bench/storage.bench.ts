/**
 * STORE-BENCH-01 … 04 against a real PostgreSQL (TEST_DATABASE_URL), each beside its floor: the
 * same SQL statements issued directly with `pg`, in the same run.
 * Targets: push ≤ 1.3× the floor's time; pull ≥ 0.8× the floor's rows/s.
 * (`paired.bench.ts` gives the same comparison interleaved, which is steadier on a loaded machine.)
 */
import { bench, describe } from 'vitest';
import { BENCH_BLOB, type BenchContext, benchUrl, skipNotice } from './context.js';
import { floorPull, floorPush } from './floor.js';
import {
  FILE_HEAVY_FILES,
  FILE_HEAVY_RECORDS,
  fileHeavyScenario,
  ourPull,
  PULL_HOT_RECORDS,
  pullHotScenario,
  pushHotScenario,
} from './scenarios.js';

const opts = { time: 4000, warmupTime: 500 };

skipNotice('storage benchmarks (push_hot, pull_hot, pull_hot_file_heavy)');

// Vitest bench runs no suite hooks: set up at module load, close in the last task's teardown.
const closeAfterRun = (ctx: BenchContext | undefined) => ({
  ...opts,
  teardown: async (_task: unknown, mode?: 'run' | 'warmup') => {
    if (mode === 'run') await ctx?.close();
  },
});

const pushHot = benchUrl ? await pushHotScenario(benchUrl) : undefined;
const pullHot = benchUrl ? await pullHotScenario(benchUrl) : undefined;
const fileHeavy = benchUrl ? await fileHeavyScenario(benchUrl) : undefined;

describe.skipIf(!pushHot)('STORE-BENCH-02 push_hot: one new record per push', () => {
  bench(
    'push_hot (storage)',
    async () => {
      const p = pushHot!;
      const result = await p.ctx.storage.push(p.ours, [{ id: p.nextId(), blob: BENCH_BLOB, cursor: 0 }]);
      if (!result.ok) throw new Error('push conflicted');
    },
    opts,
  );
  bench(
    'push_hot (floor: same SQL via pg)',
    () => floorPush(pushHot!.ctx.floor, pushHot!.floor, pushHot!.nextId()),
    closeAfterRun(pushHot?.ctx),
  );
});

describe.skipIf(!pullHot)(`STORE-BENCH-03 pull_hot: ${PULL_HOT_RECORDS} records from since 0`, () => {
  bench('pull_hot (storage)', () => ourPull(pullHot!.ctx, pullHot!.space).then(() => undefined), opts);
  bench(
    'pull_hot (floor: same SQL via pg)',
    () => floorPull(pullHot!.ctx.floor, pullHot!.space).then(() => undefined),
    closeAfterRun(pullHot?.ctx),
  );
});

describe.skipIf(!fileHeavy)(
  `STORE-BENCH-04 pull_hot_file_heavy: ${FILE_HEAVY_RECORDS} records, ${FILE_HEAVY_FILES} files, half tombstoned`,
  () => {
    bench(
      'pull_hot_file_heavy (storage)',
      () => ourPull(fileHeavy!.ctx, fileHeavy!.space).then(() => undefined),
      opts,
    );
    bench(
      'pull_hot_file_heavy (floor: same SQL via pg)',
      () => floorPull(fileHeavy!.ctx.floor, fileHeavy!.space).then(() => undefined),
      closeAfterRun(fileHeavy?.ctx),
    );
  },
);
