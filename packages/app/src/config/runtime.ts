import { quote, readBoolean, readTrimmed, readUnsigned } from './env.js';
import { ConfigError } from './errors.js';
import { parseUrl } from './issuers.js';
import type { Env, JwtConfig, LogLevel, RateLimit, RateLimitsConfig } from './types.js';

/**
 * Settings the reference hard-coded or did not have. Each reads its own variables; all are optional.
 */

/** STORE-RATE-05 windows (10 per hour) for the two reference limits; space.create is new (R11). */
export const DEFAULT_RATE_LIMITS: RateLimitsConfig = {
  membershipAppend: { max: 10, windowSeconds: 3600 },
  invitationCreate: { max: 10, windowSeconds: 3600 },
  spaceCreate: { max: 100, windowSeconds: 3600 },
};

/** The rate-limit cleanup job keeps rows this long at most, so windows are bounded by it. */
export const MAX_RATE_LIMIT_WINDOW_SECONDS = 86_400;

/**
 * R12: `RATE_LIMIT_<ACTION>_MAX` (actions per actor per window; 0 turns that limit off) and
 * `RATE_LIMIT_<ACTION>_WINDOW_SECONDS` for MEMBERSHIP_APPEND, INVITATION_CREATE and SPACE_CREATE.
 */
export function parseRateLimits(env: Env): RateLimitsConfig {
  const d = DEFAULT_RATE_LIMITS;
  return {
    membershipAppend: parseRateLimit(env, 'RATE_LIMIT_MEMBERSHIP_APPEND', d.membershipAppend),
    invitationCreate: parseRateLimit(env, 'RATE_LIMIT_INVITATION_CREATE', d.invitationCreate),
    spaceCreate: parseRateLimit(env, 'RATE_LIMIT_SPACE_CREATE', d.spaceCreate),
  };
}

function parseRateLimit(env: Env, prefix: string, fallback: RateLimit): RateLimit {
  return {
    max: readUnsigned(env, `${prefix}_MAX`, fallback.max, { allowZero: true }),
    windowSeconds: readUnsigned(env, `${prefix}_WINDOW_SECONDS`, fallback.windowSeconds, {
      max: MAX_RATE_LIMIT_WINDOW_SECONDS,
    }),
  };
}

/** Above this a leeway defeats expiry; it also catches milliseconds given as seconds. */
export const MAX_JWT_CLOCK_LEEWAY_SECONDS = 3600;

/** R14: `JWT_CLOCK_LEEWAY_SECONDS` (default 60) and `JWT_ALLOW_MISSING_EXP` (default false). */
export function parseJwt(env: Env): JwtConfig {
  return {
    clockLeewaySeconds: readUnsigned(env, 'JWT_CLOCK_LEEWAY_SECONDS', 60, {
      allowZero: true,
      max: MAX_JWT_CLOCK_LEEWAY_SECONDS,
    }),
    allowMissingExp: readBoolean(env, 'JWT_ALLOW_MISSING_EXP', false),
  };
}

/** `MIGRATE_ON_START`, default true (BOOT-02 step 2: the server migrates itself). */
export function parseMigrateOnStart(env: Env): boolean {
  return readBoolean(env, 'MIGRATE_ON_START', true);
}

/** R24: `SHUTDOWN_TIMEOUT_MS`, default 10 s. */
export function parseShutdownTimeoutMs(env: Env): number {
  return readUnsigned(env, 'SHUTDOWN_TIMEOUT_MS', 10_000);
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const RUST_LEVELS: Readonly<Record<string, LogLevel>> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
  off: 'silent',
};

/** Our default; the reference showed errors only, which hid even `server listening`. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

export interface LogLevelResult {
  readonly logLevel: LogLevel;
  readonly warning: string | undefined;
}

/**
 * CONFIG-10: `LOG_LEVEL` wins; otherwise a plain `RUST_LOG` level (error|warn|info|debug|trace|off)
 * is honoured; a `RUST_LOG` directive list cannot be mapped and is ignored with a warning.
 */
export function parseLogLevel(env: Env): LogLevelResult {
  const raw = readTrimmed(env, 'LOG_LEVEL');
  if (raw !== undefined) {
    const logLevel = LOG_LEVELS.find((level) => level === raw.toLowerCase());
    if (logLevel === undefined) {
      throw new ConfigError(
        'LOG_LEVEL',
        `invalid LOG_LEVEL value ${quote(raw)}: expected one of ${LOG_LEVELS.join(', ')}`,
      );
    }
    return { logLevel, warning: undefined };
  }
  const rust = readTrimmed(env, 'RUST_LOG');
  if (rust === undefined) return { logLevel: DEFAULT_LOG_LEVEL, warning: undefined };
  const mapped = RUST_LEVELS[rust.toLowerCase()];
  if (mapped !== undefined) return { logLevel: mapped, warning: undefined };
  return {
    logLevel: DEFAULT_LOG_LEVEL,
    warning: `RUST_LOG ${quote(rust)} is not a plain level and is ignored; use LOG_LEVEL instead`,
  };
}

/** R16 `PUBLIC_URL`: an absolute http(s)/ws(s) URL without query or fragment; kept without trailing `/`. */
export function parsePublicUrl(env: Env): string | undefined {
  const raw = readTrimmed(env, 'PUBLIC_URL');
  if (raw === undefined) return undefined;
  const url = parseUrl(raw);
  if (typeof url === 'string')
    throw new ConfigError('PUBLIC_URL', `invalid PUBLIC_URL ${quote(raw)}: ${url}`);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new ConfigError('PUBLIC_URL', `invalid PUBLIC_URL ${quote(raw)}: must use http, https, ws or wss`);
  }
  if (
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== '' ||
    url.hostname === ''
  ) {
    throw new ConfigError(
      'PUBLIC_URL',
      `invalid PUBLIC_URL ${quote(raw)}: must be a base URL without credentials, query or fragment`,
    );
  }
  return url.href.replace(/\/+$/, '');
}
