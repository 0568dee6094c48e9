import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from '@less-sync/core';
import {
  type CloseDirective,
  type ConnectionHooks,
  offeredSubprotocol,
  RealtimeEndpoint,
  type ShutdownOptions,
  selectSubprotocol,
} from '@less-sync/realtime';
import type { FederationHttpInfo } from '../../http/types.js';
import type { ApiServices } from '../../rpc/services.js';
import { authenticatePeer } from './authenticate.js';
import { type FederationContext, type FederationInboundOptions, federationContext } from './context.js';
import type { FederationIdentity } from './identity.js';
import { buildFederationHandlers } from './methods.js';

/** FED-WS-07: the close a peer over FEDERATION_MAX_CONNECTIONS gets (after the 101). */
export const TOO_MANY_FEDERATION_CONNECTIONS: CloseDirective = Object.freeze({
  code: CloseCode.TooManyConnections,
  reason: 'too many federation connections',
});

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
};

/**
 * The federation WebSocket route `/api/v1/federation/ws` (FED-WS-01..08): subprotocol (400), HTTP
 * message signature (401/400/403, plain-text body, one log line naming the failed check), then the
 * shared connection core with the federation handler table and no auth frame. Each socket is a broker
 * subscriber: local changes to the spaces its peer subscribed flow to it as notifications.
 */
export class FederationEndpoint {
  readonly context: FederationContext;
  private readonly realtime: RealtimeEndpoint<FederationIdentity>;
  private readonly extraHeaders: string[];
  private readonly admitted = new Set<string>();
  private readonly opened = new Set<string>();

  constructor(
    private readonly services: ApiServices,
    readonly options: FederationInboundOptions,
  ) {
    const f = federationContext(services, options);
    this.context = f;
    this.extraHeaders = Object.entries(options.upgradeHeaders ?? {}).map(([k, v]) => `${k}: ${v}`);
    const hooks: ConnectionHooks<FederationIdentity> = {
      admit: async (connection, identity) => {
        if (!(await f.quota.tryAddConnection(identity.peerDomain))) {
          f.metrics.quotaRejected?.('connections');
          services.logger.warn({ peer: identity.peerDomain }, 'federation connection quota exceeded');
          return TOO_MANY_FEDERATION_CONNECTIONS;
        }
        // Closed while the quota answered (a shared quota is a database round trip): teardown skips a
        // socket it did not see admitted, so the slot is given back here or it would leak.
        if (connection.state !== 'authenticating') {
          await f.quota.removeConnection(identity.peerDomain);
          return undefined;
        }
        this.admitted.add(connection.id);
        f.peerSpaces.open(connection.id);
        return undefined;
      },
      onOpen: (connection) => {
        services.sessions.open(connection);
        this.opened.add(connection.id);
        const domain = connection.identity?.peerDomain ?? '';
        f.metrics.peerSocketOpened?.(domain);
        services.logger.info?.({ peer: domain, conn_id: connection.id }, 'federation peer connected');
      },
      onClose: (connection, directive) => {
        services.sessions.close(connection.id);
        const domain = connection.identity?.peerDomain;
        if (domain === undefined || !this.admitted.delete(connection.id)) return;
        const held = f.peerSpaces.close(connection.id);
        void (async () => {
          await f.quota.removeSpaces(domain, held);
          await f.quota.removeConnection(domain);
        })().catch((err) => services.logger.error({ err, peer: domain }, 'federation quota release failed'));
        if (this.opened.delete(connection.id)) f.metrics.peerSocketClosed?.(domain);
        services.logger.info?.(
          { peer: domain, conn_id: connection.id, close: directive },
          'federation peer disconnected',
        );
      },
    };
    this.realtime = new RealtimeEndpoint<FederationIdentity>({
      authenticate: async () => {
        // Identity comes from the signature; an auth frame is never expected on this route.
        throw new Error('federation sockets do not authenticate in-band');
      },
      handlers: buildFederationHandlers(f),
      broker: services.broker,
      presence: services.presence,
      config: options.connection ?? services.deps.config.connection ?? {},
      logger: services.logger,
      hooks,
      ...(options.upgradeHeaders === undefined ? {} : { upgradeHeaders: options.upgradeHeaders }),
    });
  }

  get size(): number {
    return this.realtime.size;
  }

  /** What `/health`, `/api/v1/federation/trusted` and `/status/{domain}` read (FED-HTTP-02..04). */
  httpInfo(): FederationHttpInfo {
    const { trust } = this.options;
    const quota = this.context.quota;
    return {
      trustedDomains: () => trust.trustedDomains,
      peerStatus: (domain) => quota.peerStatus(domain),
      totalConnections: async () => (await quota.allPeerStatus()).reduce((sum, p) => sum + p.connections, 0),
    };
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node drops its socket error handler on upgrade; a peer reset must not crash the process.
    socket.on('error', () => socket.destroy());
    if (selectSubprotocol(offeredSubprotocol(request.rawHeaders)) === undefined) {
      this.services.logger.warn(
        { check: 'subprotocol' },
        'federation upgrade refused: no accepted subprotocol',
      );
      this.reject(socket, 400, '');
      return;
    }
    this.authenticate(request, socket, head).catch((err: unknown) => {
      this.services.logger.error({ err }, 'federation upgrade failed');
      socket.destroy();
    });
  }

  shutdown(options?: ShutdownOptions): Promise<void> {
    return this.realtime.shutdown(options);
  }

  private async authenticate(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { options, context: f } = this;
    const result = await authenticatePeer(request, options.trust, {
      publicUrls: options.publicUrls ?? [],
      now: () => this.services.clock.now(),
    });
    if (!result.ok) {
      f.metrics.signatureFailed?.(result.reason);
      this.services.logger.warn(
        {
          check: result.reason,
          status: result.status,
          keyid: result.keyId,
          remote: request.socket.remoteAddress,
        },
        `federation upgrade refused: ${result.detail}`,
      );
      this.reject(socket, result.status, result.body);
      return;
    }
    this.realtime.handleUpgrade(request, socket, head, { identity: result.identity });
  }

  private reject(socket: Duplex, status: number, body: string): void {
    const bytes = Buffer.from(body, 'utf8');
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}`,
      'Connection: close',
      ...(bytes.length > 0 ? ['Content-Type: text/plain; charset=utf-8'] : []),
      `Content-Length: ${bytes.length}`,
      ...this.extraHeaders,
    ];
    socket.once('finish', () => socket.destroy());
    socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]));
  }
}

export function createFederationEndpoint(
  services: ApiServices,
  options: FederationInboundOptions,
): FederationEndpoint {
  return new FederationEndpoint(services, options);
}
