import { packageConfig } from '../../vitest.shared.js';

// Most of the CLI runs as a child process (not measured); the in-process tests cover the parsing.
export default packageConfig({ lines: 0, testTimeout: 120_000, serial: true });
