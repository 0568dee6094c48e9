import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/types.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Where JSON lines go; stdout when omitted. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/**
 * Fields that must never reach a log line even when a caller logs a whole object (bearer tokens,
 * UCANs, keys), at the top level or one level down.
 */
const REDACT_KEYS = [
  'authorization',
  'cookie',
  'token',
  'ucan',
  'x-ucan',
  'password',
  'secret',
  'privateKey',
];
const REDACT_PATHS = REDACT_KEYS.flatMap((key) => [`["${key}"]`, `*["${key}"]`]);

/**
 * The app's root logger (CONFIG-10): JSON lines, one per event, level from the configuration, level
 * names instead of numbers, ISO timestamps. Made per app instance; there is no global logger.
 */
export function createLogger(config: { readonly logLevel: LogLevel }, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'less-sync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger whose every line carries the WebSocket connection id. */
export function connectionLogger(parent: Logger, connId: string): Logger {
  return parent.child({ conn_id: connId });
}

/** A logger whose every line carries the HTTP request id (and the connection id when inherited). */
export function requestLogger(parent: Logger, reqId: string): Logger {
  return parent.child({ req_id: reqId });
}
