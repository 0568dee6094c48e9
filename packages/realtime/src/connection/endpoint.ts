import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Server, WebSocketServer } from 'ws';
import type { Broker } from '../broker/types.js';
import { type Clock, systemClock } from '../clock.js';
import { type RealtimeLogger, silentLogger } from '../logger.js';
import type { PresenceRegistry } from '../presence/registry.js';
import { Close } from './close.js';
import { type ConnectionConfig, resolveConnectionConfig } from './config.js';
import { Connection, type ConnectionDeps } from './connection.js';
import { DeadlineQueue } from './deadlines.js';
import type { HandlerTable } from './handlers.js';
import { RealtimeSocket } from './socket.js';
import { offeredSubprotocol, SUBPROTOCOL_REJECTION_BODY, selectSubprotocol } from './subprotocol.js';
import type { Authenticator, ConnectionHooks, ConnectionIdentity, RealtimeConnection } from './types.js';

export interface RealtimeEndpointOptions<I extends ConnectionIdentity> {
  authenticate: Authenticator<I>;
  handlers: HandlerTable<I>;
  broker: Broker;
  /** When set, a closing connection's presence is cleared and `presence.leave` broadcast (PRESENCE-7). */
  presence?: PresenceRegistry;
  config?: Partial<ConnectionConfig>;
  clock?: Clock;
  /** Uniform [0, 1) source for lifetime jitter. */
  random?: () => number;
  logger?: RealtimeLogger;
  hooks?: ConnectionHooks<I>;
  /** Extra headers on the 101 and on the 400 answers (e.g. `X-Protocol-Version: 1`, CORS). */
  upgradeHeaders?: Readonly<Record<string, string>>;
}

export interface UpgradeOptions<I extends ConnectionIdentity> {
  /**
   * An identity established from the HTTP request itself (the federation route's signature): the
   * auth-frame handshake is skipped and the connection registers at once.
   */
  identity?: I;
}

export interface ShutdownOptions {
  /** How long in-flight requests may run and peers may take to complete the close (default 10 s). */
  graceMs?: number;
}

function headerLines(headers: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(headers ?? {}).map(([name, value]) => `${name}: ${value}`);
}

/**
 * One WebSocket route (the client route `/api/v1/ws`, or the federation route with its own handler table).
 * Mount {@link handleUpgrade} on a node `http.Server`'s `upgrade` event, next to the HTTP app on the same port.
 */
export class RealtimeEndpoint<I extends ConnectionIdentity> {
  private readonly wss: Server<typeof RealtimeSocket>;
  private readonly deps: ConnectionDeps<I>;
  private readonly live = new Set<Connection<I>>();
  private readonly extraHeaders: string[];
  private accepting = true;
  /**
   * One teardown callback for every connection: a closure made inside `handleUpgrade` would keep that
   * call's scope, and with it the upgrade request, alive as long as the connection.
   */
  private readonly forget = (connection: Connection<I>): void => {
    this.live.delete(connection);
  };

  constructor(options: RealtimeEndpointOptions<I>) {
    const config = resolveConnectionConfig(options.config);
    const clock = options.clock ?? systemClock;
    this.deps = {
      config,
      authenticate: options.authenticate,
      handlers: options.handlers,
      broker: options.broker,
      presence: options.presence,
      clock,
      deadlines: new DeadlineQueue(clock),
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger,
      hooks: options.hooks ?? {},
    };
    this.extraHeaders = headerLines(options.upgradeHeaders);
    this.wss = new WebSocketServer<typeof RealtimeSocket>({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: config.maxMessageBytes,
      WebSocket: RealtimeSocket,
      handleProtocols: (offered) => selectSubprotocol(offered) ?? false,
    });
    this.wss.on('headers', (headers) => headers.push(...this.extraHeaders));
  }

  /** Live connections (authenticating ones included). */
  get size(): number {
    return this.live.size;
  }

  connections(): IterableIterator<RealtimeConnection<I>> {
    return this.live.values();
  }

  /**
   * Take over an HTTP upgrade (WS-UPGRADE-1, R1): without an accepted subprotocol the answer is HTTP 400
   * with a text body naming the accepted subprotocols; during shutdown it is 503.
   */
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    options: UpgradeOptions<I> = {},
  ): void {
    if (!this.accepting) {
      this.reject(socket, '503 Service Unavailable');
      return;
    }
    const offered = offeredSubprotocol(request.rawHeaders);
    if (selectSubprotocol(offered) === undefined) {
      this.reject(socket, '400 Bad Request', SUBPROTOCOL_REJECTION_BODY);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new Connection(ws, request, this.deps, this.forget, options.identity, socket);
      this.live.add(connection);
    });
  }

  /**
   * Graceful shutdown (R24): refuse new upgrades, let each connection finish the frame in hand, close every
   * socket with 1001 "going away", and cut off whatever is still open when the grace period ends.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.accepting = false;
    const graceMs = options.graceMs ?? 10_000;
    const all = [...this.live];
    for (const connection of all) connection.beginShutdown();
    const { clock } = this.deps;
    let timer: unknown;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = clock.setTimeout(() => resolve('deadline'), graceMs);
    });
    const done = Promise.all(all.map((c) => c.closed));
    const outcome = await Promise.race([done.then(() => 'done' as const), deadline]);
    clock.clearTimeout(timer);
    if (outcome === 'deadline') {
      for (const connection of all) {
        connection.close(Close.goingAway);
        connection.terminate();
      }
      await done;
    }
  }

  private reject(socket: Duplex, status: string, body = ''): void {
    // Node's HTTP server drops its socket error handler on upgrade; a peer reset must not crash us.
    socket.on('error', () => socket.destroy());
    const lines = [`HTTP/1.1 ${status}`, 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`];
    if (body !== '') lines.push('Content-Type: text/plain; charset=utf-8');
    lines.push(...this.extraHeaders);
    socket.once('finish', () => socket.destroy());
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  }
}
