import { parseBrokerConfig, parseClusterConfig } from './broker.js';
import { parseDatabase, parseDataDir } from './database.js';
import { ConfigError, exitWithStartupError, type FatalErrorSink } from './errors.js';
import { parseFederation } from './federation.js';
import { parseFileStorage, parseMaxFileSize } from './file-storage.js';
import { IDENTITY_HASH_KEY_GENERATED_WARNING, resolveIdentityHashKey } from './identity-key.js';
import { parseAudiences, parseTrustedIssuers } from './issuers.js';
import { defaultListenAddr, isLoopback, parseListenAddr } from './listen-addr.js';
import {
  parseJwt,
  parseLogLevel,
  parseMigrateOnStart,
  parsePublicUrl,
  parseRateLimits,
  parseShutdownTimeoutMs,
} from './runtime.js';
import type { Config, Env } from './types.js';

export interface LoadConfigOptions {
  /** Source of the generated identity hash key (tests make it deterministic). */
  readonly randomBytes?: (size: number) => Uint8Array;
}

export const TRUSTED_ISSUERS_REQUIRED =
  'TRUSTED_ISSUERS must be set (the built-in development issuer only runs when NODE_ENV is not ' +
  '"production" and LISTEN_ADDR is a loopback address)';

/**
 * Builds the configuration from `env` once, at start (CONFIG-01). Variables are read in the
 * reference's order, the first error wins and is thrown as a `ConfigError` naming the variable:
 * LISTEN_ADDR → DATABASE_URL (with LESS_SYNC_DATA_DIR) → TRUSTED_ISSUERS → AUDIENCES → file storage
 * (then MAX_FILE_SIZE) → IDENTITY_HASH_KEY → federation (quotas, domains, keys, key-domain check) →
 * our additions (rate limits, JWT, MIGRATE_ON_START, LOG_LEVEL/RUST_LOG, SHUTDOWN_TIMEOUT_MS, PUBLIC_URL).
 * The result is deeply frozen (key bytes excepted: typed arrays cannot be frozen).
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const warnings: string[] = [];
  const nodeEnv = env.NODE_ENV;
  const production = nodeEnv === 'production';

  const listenAddr = parseListenAddr(env.LISTEN_ADDR ?? defaultListenAddr(env, production));

  const dataDir = parseDataDir(env);
  const database = parseDatabase(env, dataDir);
  if (database.kind === 'embedded' && production) {
    warnings.push(
      `DATABASE_URL is not set: using the embedded database in ${database.dir} (one process only; ` +
        'set DATABASE_URL to use PostgreSQL)',
    );
  }

  const issuers = parseTrustedIssuers(env);
  const devIssuer = issuers.length === 0 && !production && isLoopback(listenAddr);
  if (issuers.length === 0 && !devIssuer) throw new ConfigError('TRUSTED_ISSUERS', TRUSTED_ISSUERS_REQUIRED);
  if (devIssuer) {
    warnings.push(
      `TRUSTED_ISSUERS is not set: the built-in development issuer is on (anyone who can reach ` +
        `${listenAddr.text} can get a token); for local development only`,
    );
  }

  const audiences = parseAudiences(env);

  const files = parseFileStorage(env, { dataDir, embeddedDatabase: database.kind === 'embedded' });
  if (files.warning !== undefined) warnings.push(files.warning);
  const maxFileSize = parseMaxFileSize(env);

  const identityHashKey = resolveIdentityHashKey(env, options.randomBytes);
  if (identityHashKey.generated) warnings.push(IDENTITY_HASH_KEY_GENERATED_WARNING);

  const fed = parseFederation(env);
  if (fed.warning !== undefined) warnings.push(fed.warning);

  const rateLimits = parseRateLimits(env);
  const jwt = parseJwt(env);
  const migrateOnStart = parseMigrateOnStart(env);
  const log = parseLogLevel(env);
  if (log.warning !== undefined) warnings.push(log.warning);
  const shutdownTimeoutMs = parseShutdownTimeoutMs(env);
  const publicUrl = parsePublicUrl(env);

  return deepFreeze<Config>({
    nodeEnv,
    production,
    listenAddr,
    dataDir,
    database,
    broker: parseBrokerConfig(env, database),
    cluster: parseClusterConfig(env),
    issuers,
    devIssuer,
    audiences,
    fileStorage: files.fileStorage,
    maxFileSize,
    identityHashKey,
    federation: fed.federation,
    rateLimits,
    jwt,
    migrateOnStart,
    logLevel: log.logLevel,
    shutdownTimeoutMs,
    publicUrl,
    warnings,
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
