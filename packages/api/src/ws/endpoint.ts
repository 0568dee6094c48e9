import {
  type CloseDirective,
  type ConnectionHooks,
  RealtimeEndpoint,
  type RealtimeLogger,
} from '@less-sync/realtime';
import { releaseRemote } from '../federation/outbound/release.js';
import type { MethodGroupFactory } from '../rpc/method.js';
import { buildClientHandlers } from '../rpc/registry.js';
import type { ApiServices } from '../rpc/services.js';
import type { ClientIdentity } from '../session/identity.js';
import { jwtAuthenticator } from './authenticator.js';

/** The path the client endpoint is mounted on (WS-UPGRADE-1). */
export const CLIENT_WS_PATH = '/api/v1/ws';

export interface ClientEndpointOptions {
  /** Method groups (default: all of them). */
  readonly groups?: readonly MethodGroupFactory[];
  /** Headers added to the 101 and the 400 answers (e.g. `X-Protocol-Version: 1`, CORS). */
  readonly upgradeHeaders?: Readonly<Record<string, string>>;
  /** Extra lifecycle hooks (run after the API's own). */
  readonly hooks?: ConnectionHooks<ClientIdentity>;
}

/**
 * The client WebSocket route: JWT authenticator, the handler table of every method group, and the
 * session bookkeeping that lets revocations end live subscriptions (R8). Mount `handleUpgrade` for
 * `CLIENT_WS_PATH` on the HTTP server's `upgrade` event.
 */
export function createClientEndpoint(
  services: ApiServices,
  options: ClientEndpointOptions = {},
): RealtimeEndpoint<ClientIdentity> {
  const extra = options.hooks ?? {};
  const hooks: ConnectionHooks<ClientIdentity> = {
    ...(extra.admit === undefined ? {} : { admit: extra.admit }),
    onOpen(connection) {
      services.sessions.open(connection);
      extra.onOpen?.(connection);
    },
    onClose(connection, directive: CloseDirective | undefined) {
      services.sessions.close(connection.id);
      releaseRemote(services, connection.id);
      extra.onClose?.(connection, directive);
    },
    onSlowConsumer(connection, queuedFrames) {
      // R7: an operator sees who is evicted without learning who the user is (the rate-limit pseudonym).
      const auth = connection.identity?.auth;
      services.logger.warn(
        {
          conn_id: connection.id,
          user: auth === undefined ? undefined : services.rateLimiter.actorHash(auth),
          queued_frames: queuedFrames,
        },
        'slow consumer evicted (4006)',
      );
      extra.onSlowConsumer?.(connection, queuedFrames);
    },
  };
  const logger: RealtimeLogger = services.logger;
  return new RealtimeEndpoint<ClientIdentity>({
    authenticate: jwtAuthenticator(services.deps.tokenValidator),
    handlers: buildClientHandlers(services, options.groups),
    broker: services.broker,
    presence: services.presence,
    config: services.deps.config.connection ?? {},
    logger,
    hooks,
    ...(options.upgradeHeaders === undefined ? {} : { upgradeHeaders: options.upgradeHeaders }),
  });
}
