import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.js';

// The smoke tests start the built server as a child process with the embedded database. The fault suite
// (test/faults) runs separately: `pnpm test:faults`.
export default mergeConfig(packageConfig({ lines: 0, testTimeout: 180_000, serial: true }), {
  test: { exclude: ['test/faults/**', '**/node_modules/**', '**/dist/**'] },
});
