import { createHmac } from 'node:crypto';
import type { UserPseudonym } from '@less-sync/api';
import type { Logger } from 'pino';

/**
 * A per-deployment pseudonym for access logs: HMAC-SHA-256 of issuer and subject under the identity hash
 * key, first 16 hex digits. Stable for a user while the key stays the same, and says nothing about who
 * the user is to someone reading the logs.
 */
export function userPseudonymer(key: Uint8Array): UserPseudonym {
  return (auth) =>
    createHmac('sha256', key).update(`${auth.issuer}\0${auth.userId}`).digest('hex').slice(0, 16);
}

/** What the access log needs of a WebSocket session. */
export interface WsSessionEnd {
  readonly connId: string;
  readonly openedAt: number;
  readonly user: string | undefined;
  /** Close code the server sent, if it sent one. */
  readonly closeCode: number | undefined;
}

/** One info line per WebSocket session end, shaped like an HTTP access-log line (status 101). */
export function logWsSessionEnd(logger: Logger, path: string, session: WsSessionEnd, now = Date.now()): void {
  logger.info(
    {
      req_id: session.connId,
      method: 'GET',
      path,
      status: 101,
      ms: now - session.openedAt,
      ...(session.user === undefined ? {} : { user: session.user }),
      ...(session.closeCode === undefined ? {} : { close_code: session.closeCode }),
    },
    'websocket session ended',
  );
}
