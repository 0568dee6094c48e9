/** Public surface of @less-sync/app. */
export * from './config/index.js';
export * from './logging/index.js';
export * from './metrics/index.js';
