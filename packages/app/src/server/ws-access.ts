import { CLIENT_WS_PATH, type UserPseudonym } from '@less-sync/api';
import type { Logger } from 'pino';
import { logWsSessionEnd } from '../logging/index.js';

interface SessionLike {
  readonly id: string;
  readonly identity: { readonly auth: { readonly issuer: string; readonly userId: string } } | undefined;
}

/** Open/close hooks that write one access-log line per client WebSocket session when it ends. */
export function wsAccessLog(logger: Logger, pseudonym: UserPseudonym) {
  const openedAt = new Map<string, number>();
  return {
    opened(connection: SessionLike): void {
      openedAt.set(connection.id, Date.now());
    },
    closed(connection: SessionLike, closeCode: number | undefined): void {
      const started = openedAt.get(connection.id) ?? Date.now();
      openedAt.delete(connection.id);
      const auth = connection.identity?.auth;
      logWsSessionEnd(logger, CLIENT_WS_PATH, {
        connId: connection.id,
        openedAt: started,
        user: auth === undefined ? undefined : pseudonym(auth),
        closeCode,
      });
    },
  };
}
