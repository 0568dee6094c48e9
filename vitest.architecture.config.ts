import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['packages/dependency-direction.test.ts'] },
});
