import type { IncomingMessage, ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientIdentity } from '@less-sync/api';
import { Close, type CloseDirective, type RealtimeConnection } from '@less-sync/realtime';
import type { LimitsConfig } from '../config/index.js';
import type { AppMetrics } from '../metrics/index.js';
import { rejectUpgrade, type UpgradeTarget } from './upgrade.js';

/** Open things per key, at most `max` each; a key's entry goes away with its last holder. */
export class KeyedCounter {
  private readonly counts = new Map<string, number>();
  constructor(private readonly max: number) {}

  tryAcquire(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = this.counts.get(key) ?? 0;
    if (n <= 1) this.counts.delete(key);
    else this.counts.set(key, n - 1);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/** Node's own request timers, from the operator's limits (headers, then the whole request). */
export function httpTimeouts(
  limits: LimitsConfig,
): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  const { httpHeadersTimeoutMs: headers, httpRequestTimeoutMs: request } = limits;
  return {
    headersTimeout: headers,
    requestTimeout: request,
    // Node checks both timers on this period (default 30 s): keep it well under the shorter one.
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(Math.min(headers, request) / 4))),
  };
}

/**
 * The raw answer to a request Node's parser gave up on: 408 when the headers or the request took too long
 * (counted against its limit), 400 for anything malformed.
 */
export function clientErrorReply(error: NodeJS.ErrnoException, metrics: AppMetrics): string {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    metrics.limitRejections.inc({ limit: 'HTTP_HEADERS_TIMEOUT_MS/HTTP_REQUEST_TIMEOUT_MS' });
    return 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
  }
  return 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
}

/**
 * `WS_MAX_CONNECTIONS_PER_IP` in front of the client WebSocket route: over the cap the upgrade is answered
 * 429 before any WebSocket work; a slot is held until the socket closes.
 */
export function limitUpgradesPerIp(
  target: UpgradeTarget,
  limits: LimitsConfig,
  metrics: AppMetrics,
): UpgradeTarget {
  const perIp = new KeyedCounter(limits.maxConnectionsPerIp);
  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      const ip = request.socket.remoteAddress ?? 'unknown';
      if (!perIp.tryAcquire(ip)) {
        metrics.limitRejections.inc({ limit: 'WS_MAX_CONNECTIONS_PER_IP' });
        rejectUpgrade(socket, 429);
        return;
      }
      socket.once('close', () => perIp.release(ip));
      target.handleUpgrade(request, socket, head);
    },
  };
}

/**
 * `WS_MAX_CONNECTIONS_PER_USER` as connection hooks: `admit` refuses the connection over the cap (4003 "too
 * many connections"), `onClose` frees its slot. The auth frame cap is counted here too.
 */
export function userConnectionLimit(limits: LimitsConfig, metrics: AppMetrics) {
  const perUser = new KeyedCounter(limits.maxConnectionsPerUser);
  const held = new Map<string, string>();
  return {
    admit(
      connection: RealtimeConnection<ClientIdentity>,
      identity: ClientIdentity,
    ): CloseDirective | undefined {
      const key = `${identity.auth.issuer}\0${identity.auth.userId}`;
      if (!perUser.tryAcquire(key)) {
        metrics.limitRejections.inc({ limit: 'WS_MAX_CONNECTIONS_PER_USER' });
        return Close.tooManyConnections;
      }
      held.set(connection.id, key);
      return undefined;
    },
    onClose(connection: RealtimeConnection<ClientIdentity>, directive: CloseDirective | undefined): void {
      if (directive === Close.authFrameTooLarge) {
        metrics.limitRejections.inc({ limit: 'WS_AUTH_FRAME_MAX_BYTES' });
      }
      const key = held.get(connection.id);
      if (key === undefined) return;
      held.delete(connection.id);
      perUser.release(key);
    },
  };
}
