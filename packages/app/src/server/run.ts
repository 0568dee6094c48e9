import { formatFatalError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { Env } from '../config/types.js';
import { probeListenAddr } from './port-probe.js';
import { type CreateServerOptions, createServer, type LessSyncServer } from './server.js';

/** The parts of `process` the entry point uses, so tests can drive it. */
export interface ProcessLike {
  readonly env: Env;
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): void;
  writeStderr(text: string): void;
  exit(code: number): void;
  /** Clock for the duplicate-signal window (default Date.now). */
  now?(): number;
}

/** Signals this close together count as one. */
export const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

/**
 * BOOT-01 with R24: load the configuration (`Error: <message>` and exit 1 on a bad variable, before
 * any I/O), check LISTEN_ADDR can be bound (before the database is opened), start the server, and on SIGTERM/SIGINT shut down gracefully and exit 0 (1 if shutdown
 * failed). A second signal (not a duplicate delivery of the first) exits at once. Resolves with the
 * running server.
 */
export async function runServer(
  proc: ProcessLike,
  options: CreateServerOptions = {},
): Promise<LessSyncServer | undefined> {
  let server: LessSyncServer;
  try {
    const config = loadConfig(proc.env);
    await probeListenAddr(config.listenAddr);
    server = await createServer(config, options);
  } catch (error) {
    proc.writeStderr(formatFatalError(error));
    proc.exit(1);
    return undefined;
  }
  let firstSignalAt: number | undefined;
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => () => {
    const now = proc.now?.() ?? Date.now();
    if (firstSignalAt !== undefined) {
      // Ctrl-C under `pnpm start` reaches us twice (the terminal's process group, and pnpm forwarding):
      // a repeat within the window is the same request, not the impatient second one.
      if (now - firstSignalAt < DUPLICATE_SIGNAL_WINDOW_MS) return;
      server.logger.warn({ signal }, 'second signal: exiting now');
      proc.exit(1);
      return;
    }
    firstSignalAt = now;
    server.logger.info({ signal }, 'signal received: shutting down gracefully');
    server.close().then(
      () => proc.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        proc.exit(1);
      },
    );
  };
  // Before listening: a signal right after "server listening" must already find its handler.
  proc.on('SIGTERM', onSignal('SIGTERM'));
  proc.on('SIGINT', onSignal('SIGINT'));
  try {
    await server.listen();
  } catch (error) {
    proc.writeStderr(formatFatalError(error));
    await server.close().catch(() => undefined);
    proc.exit(1);
    return undefined;
  }
  return server;
}
