import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  FederationPeerManager,
  type PeerManagerConfig,
  type RemoteSubscriptionLedger,
} from '../../../src/index.js';
import { TestServer, type TestServerOptions, UcanKey } from '../../harness/index.js';
import { type HomeOptions, type MetricEvents, PeerKey, startHome } from '../peer.js';

/**
 * A byte-level TCP relay in front of the home server: lets a test cut every link (the home "restarts")
 * or swallow the home's answers (a silent peer) without touching either server.
 */
export class Relay {
  silent = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port_ = 0;

  private constructor(targetPort: number) {
    this.server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (!this.silent) client.write(d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
  }

  get port(): number {
    return this.port_;
  }

  static async start(targetPort: number): Promise<Relay> {
    const relay = new Relay(targetPort);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    const address = relay.server.address();
    relay.port_ = typeof address === 'object' && address !== null ? address.port : 0;
    return relay;
  }

  /** Cut every relayed connection (both directions). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface Pair {
  /** The home server (A): federation endpoint trusting B's key. */
  readonly home: TestServer;
  readonly events: MetricEvents;
  readonly homeLedger: RemoteSubscriptionLedger;
  /** The origin server (B): forwards through `manager`. */
  readonly origin: TestServer;
  readonly manager: FederationPeerManager;
  readonly key: PeerKey;
  /** What B stores as the space's `home_server` (`http://127.0.0.1:<port>`, via the relay when asked). */
  readonly homeServer: string;
  readonly relay: Relay | undefined;
  /** A shared space present on both, homed on A, with one root key. */
  space(): Promise<{ id: string; root: UcanKey }>;
  close(): Promise<void>;
}

export interface PairOptions {
  readonly home?: HomeOptions;
  readonly origin?: TestServerOptions;
  readonly manager?: Partial<PeerManagerConfig>;
  /** Put a {@link Relay} between B and A. */
  readonly relay?: boolean;
}

/** Two API instances in one process, separate schemas, real sockets on loopback (federation.md §8). */
export async function startPair(options: PairOptions = {}): Promise<Pair> {
  const key = new PeerKey('b.fed.test', 'fed-b');
  const { server: home, events, ledger } = await startHome({ peers: [key], ...options.home });
  const homePort = Number(new URL(home.url).port);
  const relay = options.relay === true ? await Relay.start(homePort) : undefined;
  const homeServer = `http://127.0.0.1:${relay?.port ?? homePort}`;
  const manager = new FederationPeerManager({
    signer: { keyId: key.keyId, privateKey: key.privateKey },
    config: { callTimeoutMs: 3000, backoff: { initialMs: 50, maxMs: 400 }, ...options.manager },
  });
  const origin = await TestServer.start({
    ...options.origin,
    federation: manager,
    config: { trustedDomains: [`127.0.0.1:${relay?.port ?? homePort}`], ...options.origin?.config },
  });
  return {
    home,
    events,
    homeLedger: ledger,
    origin,
    manager,
    key,
    homeServer,
    relay,
    async space() {
      const id = randomUUID();
      const root = new UcanKey();
      await home.storage.createSpace(id, 'owner-client', root.compressedPublicKey);
      await origin.storage.createSpace(id, 'owner-client', root.compressedPublicKey);
      await origin.storage.setSpaceHomeServer(id, homeServer);
      return { id, root };
    },
    async close() {
      manager.close();
      await origin.close();
      await relay?.close();
      await home.close();
    },
  };
}
