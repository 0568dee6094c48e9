import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Workspace packages resolve to their TypeScript sources in tests, so a test never depends on a
 * stale `dist/` build. Subpath exports (`@less-sync/storage/testing`) map to `src/<subpath>/index.ts`.
 */
export const workspaceAliases = [
  {
    find: /^@less-sync\/([a-z-]+)\/([a-z-]+)$/,
    replacement: `${root}packages/$1/src/$2/index.ts`,
  },
  { find: /^@less-sync\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

/** Per-test and per-hook bound, sized for the embedded database on a busy two-core machine. */
export const DEFAULT_TEST_TIMEOUT_MS = 120_000;

export interface PackageTestOptions {
  /** Minimum line coverage for the package's own `src/`, enforced on every `pnpm test`. */
  lines: number;
  /** Extra per-glob thresholds (e.g. federation modules at 80%). */
  perGlob?: Record<string, { lines: number }>;
  /** Test timeout in ms; database and socket suites need more than the default. */
  testTimeout?: number;
  /** Run test files one after another (suites that share a server or a port range). */
  serial?: boolean;
}

/**
 * Benchmarks measure what production runs: the built packages (`dist/`, see `pnpm bench`) loaded by
 * Node itself. Through the test transform every call across a module boundary goes through a getter,
 * which costs the request paths several microseconds that a deployed server never pays.
 */
const builtPackages = { server: { deps: { external: [/\/packages\/[a-z-]+\/dist\//] } } };
const benchmarking = process.argv.slice(2).includes('bench');

export function packageConfig(options: PackageTestOptions): ViteUserConfig {
  return defineConfig({
    resolve: { alias: benchmarking ? [] : workspaceAliases },
    test: {
      ...(benchmarking ? builtPackages : {}),
      include: ['test/**/*.test.ts'],
      // Generous: a loaded machine running the embedded database is slow, and a timeout is only a bound
      // on a hang here, never a speed assertion (speed lives in benchmarks).
      testTimeout: options.testTimeout ?? DEFAULT_TEST_TIMEOUT_MS,
      hookTimeout: options.testTimeout ?? DEFAULT_TEST_TIMEOUT_MS,
      fileParallelism: !options.serial,
      passWithNoTests: false,
      benchmark: { include: ['bench/**/*.bench.ts'] },
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: ['src/**/index.ts', 'src/**/*.d.ts', 'src/testing/**'],
        reporter: ['text-summary', 'json-summary'],
        thresholds: { lines: options.lines, ...(options.perGlob ?? {}) },
      },
    },
  });
}
