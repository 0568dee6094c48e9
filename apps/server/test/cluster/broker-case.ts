import net from 'node:net';
import type { TransportCase } from './suite.js';
import { requireService } from './suite.js';
import { hostPort, TcpProxy } from './tcp-proxy.js';

/** Whether something accepts TCP connections at the URL's host and port. */
function answers(url: string, defaultPort: number): Promise<boolean> {
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
      close: () => proxy.down(),
    },
  };
}
