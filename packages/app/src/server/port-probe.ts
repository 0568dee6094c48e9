import { createServer } from 'node:net';
import type { ListenAddr } from '../config/types.js';

/**
 * Binds LISTEN_ADDR once and lets go, so a port conflict is reported before the database is opened and
 * migrated (which can take long) rather than after. Port 0 always succeeds and is skipped. Another
 * process could still take the port in between: the real bind reports that as before.
 */
export async function probeListenAddr(addr: ListenAddr): Promise<void> {
  if (addr.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(`cannot listen on ${addr.text}: ${error.code ?? error.message}`, { cause: error }));
    });
    probe.listen({ host: addr.host, port: addr.port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
