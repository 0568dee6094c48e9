export {
  ConfigError,
  ConfigErrors,
  exitWithStartupError,
  type FatalErrorSink,
  formatFatalError,
} from './errors.js';
export { DEFAULT_FEDERATION_QUOTAS } from './federation.js';
export { DEFAULT_MAX_FILE_SIZE } from './file-storage.js';
export { DEFAULT_LIMITS, type LimitsConfig } from './limits.js';
export { type LoadConfigOptions, loadConfig, loadConfigOrExit } from './load.js';
export { DEFAULT_LOG_LEVEL, DEFAULT_RATE_LIMITS } from './runtime.js';
export type * from './types.js';
export {
  CONFIG_VARIABLES,
  type ConfigVariable,
  knownVariableNames,
  renderVariablesTable,
  SECRET_VARIABLES,
} from './variables.js';
