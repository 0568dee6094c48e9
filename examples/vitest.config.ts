import { defineConfig } from 'vitest/config';

// Each file starts its own server process (and Chromium); run them one after another.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
