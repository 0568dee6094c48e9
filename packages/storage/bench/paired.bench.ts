/**
 * The storage-vs-floor ratios measured interleaved (see paired.ts), printed as one summary:
 * push ≤ 1.3× the floor's time, pull ≥ 0.8× the floor's rows/s.
 */
import { bench, describe } from 'vitest';
import { BENCH_BLOB, benchUrl, skipNotice } from './context.js';
import { floorPull, floorPush } from './floor.js';
import { paired, report } from './paired.js';
import {
  fileHeavyScenario,
  ourPull,
  ourStreamedPull,
  pullHotScenario,
  pushHotScenario,
} from './scenarios.js';

skipNotice('paired storage/floor ratios');

const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };

describe.skipIf(!benchUrl)('STORE-BENCH-01 storage vs floor, interleaved', () => {
  bench(
    'paired ratios (see the printed summary)',
    async () => {
      const url = benchUrl as string;
      const push = await pushHotScenario(url);
      const pushResult = await paired(
        {
          storage: () =>
            push.ctx.storage.push(push.ours, [{ id: push.nextId(), blob: BENCH_BLOB, cursor: 0 }]),
          floor: () => floorPush(push.ctx.floor, push.floor, push.nextId()),
        },
        { rounds: 60, perRound: 20 },
      );
      await push.ctx.close();
      let out = report('push_hot (1 record per push)', pushResult);

      for (const [title, make] of [
        ['pull_hot (2,000 records)', pullHotScenario],
        ['pull_hot_file_heavy (600 records + 2,400 files)', fileHeavyScenario],
      ] as const) {
        const scenario = await make(url);
        const collected = await paired(
          {
            storage: () => ourPull(scenario.ctx, scenario.space),
            floor: () => floorPull(scenario.ctx.floor, scenario.space, true),
          },
          { rounds: 40, perRound: 3 },
        );
        const streamed = await paired(
          {
            storage: () => ourStreamedPull(scenario.ctx, scenario.space),
            floor: () => floorPull(scenario.ctx.floor, scenario.space, false),
          },
          { rounds: 40, perRound: 3 },
        );
        await scenario.ctx.close();
        out += report(`${title}, collected`, collected, scenario.entries);
        out += report(`${title}, streamed page by page`, streamed, scenario.entries);
      }
      process.stdout.write(`\n${out}`);
    },
    once,
  );
});
