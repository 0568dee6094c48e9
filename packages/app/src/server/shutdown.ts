import type { Server } from 'node:http';
import type { ApiServices } from '@less-sync/api';
import type { Storage } from '@less-sync/storage';
import type { Logger } from 'pino';
import type { JobScheduler } from '../jobs/index.js';
import type { ServerDatabase } from './database.js';

export interface ShutdownParts {
  readonly httpServer: Server;
  readonly endpoint: { shutdown(options: { graceMs: number }): Promise<void> };
  readonly scheduler: JobScheduler;
  readonly services: Pick<ApiServices, 'background'>;
  readonly storage: Storage;
  readonly db: ServerDatabase;
  readonly logger: Logger;
  /** Flushed last, so spans of the shutdown itself are exported. */
  readonly tracing?: { shutdown(): Promise<void> };
  /** Stops the cross-instance transport and frees this instance's mailbox slots. */
  readonly cluster?: { close(): Promise<void> };
}

const sleep = (ms: number) =>
  new Promise<'timeout'>((resolve) => {
    setTimeout(() => resolve('timeout'), Math.max(0, ms)).unref();
  });

/**
 * R24 / BOOT-05: stop accepting connections, close WebSockets with 1001 "going away", let in-flight HTTP
 * requests finish until the deadline (then cut them), stop the jobs and background work, close the
 * stores and the database.
 */
export async function shutdownServer(parts: ShutdownParts, timeoutMs: number): Promise<void> {
  const { httpServer, logger } = parts;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  logger.info({ timeout_ms: timeoutMs }, 'shutting down');

  const drained = new Promise<'drained'>((resolve) => {
    if (!httpServer.listening) resolve('drained');
    else httpServer.close(() => resolve('drained'));
  });
  // Keep-alive connections become idle after their last response; close them as they do.
  httpServer.closeIdleConnections();
  const idleSweeper = setInterval(() => httpServer.closeIdleConnections(), 50);
  try {
    await parts.endpoint.shutdown({ graceMs: remaining() });
    if ((await Promise.race([drained, sleep(remaining())])) === 'timeout') {
      logger.warn('shutdown deadline reached: closing the remaining HTTP connections');
      httpServer.closeAllConnections();
      await drained;
    }
  } finally {
    clearInterval(idleSweeper);
  }
  await parts.scheduler.stop();
  await Promise.race([parts.services.background.idle(), sleep(remaining())]);
  await parts.cluster?.close().catch((error) => logger.warn({ err: error }, 'closing the cluster failed'));
  await parts.storage.close().catch((error) => logger.warn({ err: error }, 'closing the stores failed'));
  await parts.db.close().catch((error) => logger.warn({ err: error }, 'closing the database failed'));
  await parts.tracing
    ?.shutdown()
    .catch((error) => logger.warn({ err: error }, 'flushing the remaining trace spans failed'));
  logger.info('shutdown complete');
}
