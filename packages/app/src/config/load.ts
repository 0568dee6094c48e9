import { type BrokerConfig, type ClusterConfig, parseBrokerConfig, parseClusterConfig } from './broker.js';
import { type CapacityConfig, parseCapacity } from './capacity.js';
import { parseDatabase, parseDataDir } from './database.js';
import { readTrimmed } from './env.js';
import { ConfigError, ConfigErrors, exitWithStartupError, type FatalErrorSink } from './errors.js';
import { type FederationResult, parseFederation } from './federation.js';
import { type FileStorageResult, parseFileStorage, parseMaxFileSize } from './file-storage.js';
import { IDENTITY_HASH_KEY_GENERATED_WARNING, resolveIdentityHashKey } from './identity-key.js';
import { parseAudiences, parseTrustedIssuers } from './issuers.js';
import { type LimitsConfig, parseLimits } from './limits.js';
import { defaultListenAddr, isLoopback, parseListenAddr } from './listen-addr.js';
import {
  type LogLevelResult,
  parseJwt,
  parseLogLevel,
  parseMigrateOnStart,
  parsePublicUrl,
  parseRateLimits,
  parseShutdownTimeoutMs,
} from './runtime.js';
import { type ReadSecretFile, resolveSecretFiles } from './secret-files.js';
import { parseTracing } from './tracing.js';
import type {
  Config,
  DatabaseConfig,
  Env,
  IdentityHashKeyConfig,
  JwtConfig,
  ListenAddr,
  RateLimitsConfig,
} from './types.js';

export interface LoadConfigOptions {
  /** Source of the generated identity hash key (tests make it deterministic). */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** Reads `<NAME>_FILE` secrets (default: the file system). */
  readonly readSecretFile?: ReadSecretFile;
}

export const TRUSTED_ISSUERS_REQUIRED =
  'TRUSTED_ISSUERS must be set (the built-in development issuer only runs when NODE_ENV is not ' +
  '"production" and LISTEN_ADDR is a loopback address)';

/**
 * Builds the configuration from `env` once, at start (CONFIG-01). `<NAME>_FILE` secrets are resolved
 * first; then every variable is read, in the reference's order, and every error is collected: one bad
 * variable does not hide the next. Any error throws `ConfigErrors` (a `ConfigError` naming the first
 * variable) listing them all. Order: LISTEN_ADDR → DATABASE_URL (with LESS_SYNC_DATA_DIR) →
 * TRUSTED_ISSUERS → AUDIENCES → file storage (then MAX_FILE_SIZE) → IDENTITY_HASH_KEY → federation →
 * our additions (rate limits, JWT, MIGRATE_ON_START, LOG_LEVEL/RUST_LOG, SHUTDOWN_TIMEOUT_MS, PUBLIC_URL).
 * The result is deeply frozen (key bytes excepted: typed arrays cannot be frozen).
 */
export function loadConfig(rawEnv: Env, options: LoadConfigOptions = {}): Config {
  const secrets = resolveSecretFiles(rawEnv, options.readSecretFile);
  const env = secrets.env;
  const errors: ConfigError[] = [...secrets.errors];
  const read = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
      return undefined;
    }
  };
  const warnings: string[] = [];
  const nodeEnv = env.NODE_ENV;
  const production = nodeEnv === 'production';

  const listenAddr = read(() => parseListenAddr(env.LISTEN_ADDR ?? defaultListenAddr(env, production)));

  const dataDir = parseDataDir(env);
  const database = read(() => parseDatabase(env, dataDir));
  if (database?.kind === 'embedded' && production) {
    warnings.push(
      `DATABASE_URL is not set: using the embedded database in ${database.dir} (one process only; ` +
        'set DATABASE_URL to use PostgreSQL)',
    );
  }

  const parsedIssuers = read(() => parseTrustedIssuers(env));
  const issuers = parsedIssuers ?? [];
  const devIssuer =
    parsedIssuers?.length === 0 && !production && listenAddr !== undefined && isLoopback(listenAddr);
  // Without a valid LISTEN_ADDR (and outside production) the development-issuer rule cannot be decided.
  const decidable = production || listenAddr !== undefined;
  if (parsedIssuers?.length === 0 && !devIssuer && decidable) {
    errors.push(new ConfigError('TRUSTED_ISSUERS', TRUSTED_ISSUERS_REQUIRED));
  }
  // The development issuer is announced once, when the server listens (with the URL to get a token).

  const audiences = parseAudiences(env);

  const embeddedDatabase = readTrimmed(env, 'DATABASE_URL') === undefined;
  const files = read(() => parseFileStorage(env, { dataDir, embeddedDatabase }));
  if (files?.warning !== undefined) warnings.push(files.warning);
  const maxFileSize = read(() => parseMaxFileSize(env));

  const identityHashKey = read(() => resolveIdentityHashKey(env, options.randomBytes));
  if (identityHashKey?.generated) warnings.push(IDENTITY_HASH_KEY_GENERATED_WARNING);

  const fed = read(() => parseFederation(env));
  if (fed?.warning !== undefined) warnings.push(fed.warning);

  const rateLimits = read(() => parseRateLimits(env));
  const jwt = read(() => parseJwt(env));
  const migrateOnStart = read(() => parseMigrateOnStart(env));
  const log = read(() => parseLogLevel(env));
  if (log?.warning !== undefined) warnings.push(log.warning);
  const shutdownTimeoutMs = read(() => parseShutdownTimeoutMs(env));
  const publicUrl = read(() => parsePublicUrl(env));
  const capacity = read(() => parseCapacity(env));
  const broker = database === undefined ? undefined : read(() => parseBrokerConfig(env, database));
  const cluster = read(() => parseClusterConfig(env));
  const limits = read(() => parseLimits(env));
  const tracing = read(() => parseTracing(env));

  if (errors.length > 0) throw new ConfigErrors(errors);
  // With no errors every step above produced its value.
  return deepFreeze<Config>({
    nodeEnv,
    production,
    listenAddr: listenAddr as ListenAddr,
    dataDir,
    database: database as DatabaseConfig,
    broker: broker as BrokerConfig,
    cluster: cluster as ClusterConfig,
    issuers,
    devIssuer,
    audiences,
    fileStorage: (files as FileStorageResult).fileStorage,
    maxFileSize: maxFileSize as number,
    identityHashKey: identityHashKey as IdentityHashKeyConfig,
    federation: (fed as FederationResult).federation,
    rateLimits: rateLimits as RateLimitsConfig,
    jwt: jwt as JwtConfig,
    migrateOnStart: migrateOnStart as boolean,
    logLevel: (log as LogLevelResult).logLevel,
    shutdownTimeoutMs: shutdownTimeoutMs as number,
    publicUrl,
    capacity: capacity as CapacityConfig,
    tracing,
    warnings,
    limits: limits as LimitsConfig,
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

/**
 * For the server entry: the configuration, or `Error: <message>` on stderr and exit code 1 (CONFIG-01),
 * before any network I/O.
 */
export function loadConfigOrExit(env: Env, sink?: FatalErrorSink, options?: LoadConfigOptions): Config {
  try {
    return loadConfig(env, options);
  } catch (error) {
    return exitWithStartupError(error, sink);
  }
}
