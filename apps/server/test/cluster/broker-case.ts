import net from 'node:net';
import { channelFor } from '@less-sync/app';
// One loopback proxy for every broker-cut test, kept beside the transport tests that use it too.
import { hostPort, TcpProxy } from '../../../../packages/realtime/test/support/tcp-proxy.js';
import type { TransportCase } from './suite.js';
import { requireService } from './suite.js';

/** Whether something accepts TCP connections at the URL's host and port. */
/** Whether something accepts TCP connections at `url` (bounded). */
export function answers(url: string, defaultPort: number): Promise<boolean> {
  const { host, port } = hostPort(url, defaultPort);
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(3_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Sends `payload` over a fresh connection and resolves once the reply matches `done` (bounded). */
function exchange(url: string, defaultPort: number, payload: string, done: RegExp): Promise<void> {
  const { host, port } = hostPort(url, defaultPort);
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = net.connect(port, host, () => socket.write(payload));
    const timer = setTimeout(() => finish(new Error(`no reply from ${host}:${port}`)), 5_000);
    function finish(err?: Error) {
      clearTimeout(timer);
      socket.destroy();
      if (err === undefined) resolve();
      else reject(err);
    }
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (done.test(reply)) finish();
    });
    socket.on('error', (err) => finish(err));
  });
}

/** Removes the suite's stream from the shared broker (the transport's naming: see realtime/transports). */
export function dropStream(
  name: 'redis' | 'nats',
  url: string,
  defaultPort: number,
  schema: string,
): Promise<void> {
  const channel = channelFor(schema);
  if (name === 'redis') {
    const key = `less-sync:${channel}`;
    return exchange(url, defaultPort, `*2\r\n$3\r\nDEL\r\n$${key.length}\r\n${key}\r\n`, /^:\d+\r\n/);
  }
  return exchange(
    url,
    defaultPort,
    `CONNECT {"verbose":false}\r\nPUB $JS.API.STREAM.DELETE.LESS_SYNC_${channel} 0\r\n\r\nPING\r\n`,
    /PONG\r\n/,
  );
}

/**
 * Redis or NATS behind a loopback proxy owned by the test: `cut` makes the broker unreachable for every
 * instance (connections dropped, new ones refused) without touching the shared broker.
 */
export async function brokerCase(
  name: 'redis' | 'nats',
  url: string,
  defaultPort: number,
): Promise<{ transport: TransportCase; reachable: boolean }> {
  const label = name === 'redis' ? 'Redis' : 'NATS JetStream';
  const reachable = await requireService(label, url, () => answers(url, defaultPort));
  const target = hostPort(url, defaultPort);
  const proxy = new TcpProxy(target.host, target.port);
  return {
    reachable,
    transport: {
      name,
      async env() {
        await proxy.up();
        const through = new URL(url);
        through.hostname = '127.0.0.1';
        through.port = String(proxy.port);
        return { BROKER_URL: through.toString() };
      },
      cut: () => proxy.down(),
      restore: () => proxy.up(),
      async close(schema) {
        await proxy.down();
        if (reachable) await dropStream(name, url, defaultPort, schema);
      },
    },
  };
}
