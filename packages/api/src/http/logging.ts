import type { HttpLogger } from './types.js';

const noop = (): void => {};

/** Drops everything; the default when the app passes no logger. */
export const silentHttpLogger: HttpLogger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentHttpLogger,
});
