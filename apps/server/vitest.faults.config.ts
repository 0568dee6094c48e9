import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

/**
 * The fault suite: real server processes crashed, their database stopped, stormed and fuzzed. Files run
 * one after another (each owns its servers and ports); every test is bounded.
 */
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    passWithNoTests: false,
  },
});
