import { defineConfig } from 'vitest/config';

// Packs every publishable package and installs the tarballs in a scratch project: slow, so one file alone.
export default defineConfig({
  test: { include: ['packages/packaging.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 },
});
