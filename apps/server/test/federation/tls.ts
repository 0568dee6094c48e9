import { connect as netConnect } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

import type { Certificate } from '../../../../packages/api/test/federation/certificate.js';

export {
  type Certificate,
  selfSignedCertificate,
} from '../../../../packages/api/test/federation/certificate.js';

/** A TLS terminator on a loopback port that pipes each connection to a plain port, Host untouched. */
export interface TlsProxy {
  readonly port: number;
  /** TLS connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

export async function startTlsProxy(cert: Certificate, targetPort: number): Promise<TlsProxy> {
  let accepted = 0;
  const open = new Set<TLSSocket>();
  const server = createTlsServer({ cert: cert.cert, key: cert.key }, (socket) => {
    accepted++;
    open.add(socket);
    const upstream = netConnect(targetPort, '127.0.0.1');
    const end = () => {
      socket.destroy();
      upstream.destroy();
      open.delete(socket);
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy port');
  return {
    port: address.port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
