/** Public surface of @less-sync/app. */

export * from './cluster/index.js';
export * from './config/index.js';
export * from './dev-issuer/index.js';
export * from './federation-keys/index.js';
export * from './jobs/index.js';
export * from './logging/index.js';
export * from './metrics/index.js';
export * from './server/index.js';
export * from './tracing/index.js';
