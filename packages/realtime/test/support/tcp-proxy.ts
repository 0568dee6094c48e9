import net from 'node:net';

/**
 * A loopback TCP proxy in front of a broker, so a test can cut every connection (`drop`), refuse new ones
 * (`down`) and let them back (`up`) without touching the shared broker.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Cut every open connection (the broker stays up and accepting). */
  drop(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Stop accepting and cut everything: the broker looks unreachable. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.drop();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) };
}

/** A started proxy in front of the broker at `url`, and the same URL pointed through it. */
export async function proxyFor(url: string, defaultPort: number): Promise<{ proxy: TcpProxy; url: string }> {
  const target = hostPort(url, defaultPort);
  const proxy = new TcpProxy(target.host, target.port);
  await proxy.up();
  const through = new URL(url);
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  return { proxy, url: through.toString() };
}
