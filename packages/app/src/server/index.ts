export { openBlobStore } from './blobs.js';
export { openServerDatabase, type ServerDatabase } from './database.js';
export { METRICS_PATH } from './metrics-hooks.js';
export { LIVEZ_PATH, Probes, READYZ_PATH, type ReadinessCheck, STARTUPZ_PATH } from './probes.js';
export { type ProcessLike, runServer } from './run.js';
export {
  type CreateServerOptions,
  createServer,
  type LessSyncServer,
  MAX_HEADER_BYTES,
  type ServerAddress,
} from './server.js';
