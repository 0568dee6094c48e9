import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

/** A self-signed certificate for `localhost` / 127.0.0.1, made with openssl in a temporary directory. */
export interface Certificate {
  readonly dir: string;
  readonly certFile: string;
  readonly cert: string;
  readonly key: string;
  remove(): void;
}

export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'less-sync-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'pipe', timeout: 30_000 },
  );
  return {
    dir,
    certFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

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
