/** Minimal structured logger (pino-compatible argument order). Defaults to silence. */
export interface RealtimeLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: RealtimeLogger = Object.freeze({
  warn: () => {},
  error: () => {},
});
