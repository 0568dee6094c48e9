import { packageConfig } from '../../vitest.shared.js';

export default packageConfig({ lines: 85, perGlob: { 'src/federation/**': { lines: 80 } } });
