import { packageConfig } from '../../vitest.shared.js';

// The smoke tests start the built server as a child process with the embedded database.
export default packageConfig({ lines: 0, testTimeout: 180_000, serial: true });
