#!/usr/bin/env node
/**
 * `pnpm bench`: every package's benches, one package at a time (turbo). `pnpm bench --quick` (or
 * BENCH_QUICK=1) runs only the goal figures beside their floor (packages/api/bench/floor.bench.ts and
 * connection-scale.bench.ts) with fewer repeats and 2,000 idle connections, in under two minutes.
 * Both need TEST_DATABASE_URL for the database figures (they say so and skip without it). The benches
 * run the built packages (what production runs), so everything is built first.
 */
import { spawn, spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
const rest = args.filter((a) => a !== '--quick');
const env = { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}) };

const [command, commandArgs] = quick
  ? [
      'pnpm',
      [
        '--filter',
        '@less-sync/api',
        'exec',
        'vitest',
        'bench',
        '--run',
        'bench/floor.bench.ts',
        'bench/connection-scale.bench.ts',
        ...rest,
      ],
    ]
  : ['turbo', ['run', 'bench', '--concurrency=1', ...rest]];

const build = spawnSync('turbo', ['run', 'build', '--output-logs=errors-only'], { stdio: 'inherit', env });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(command, commandArgs, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
