import { MAX_INBOUND_MESSAGE_SIZE } from '@less-sync/core';

/** Limits and timers of one client connection (WS-UPGRADE-2, WS-AUTH-2, WS-KEEPALIVE-1, WS-LIFETIME-1, WS-OUTBOUND-1). */
export interface ConnectionConfig {
  /** Time from upgrade to a settled auth result (first frame received and validated). Default 5 s. */
  authTimeoutMs: number;
  /** Interval of the 0xF6 keepalive frame and of the ping liveness check. Default 30 s. */
  keepaliveIntervalMs: number;
  /** Terminate a peer that has not answered a ping (or sent anything) for a whole keepalive interval. */
  livenessCheck: boolean;
  /** Base maximum lifetime after auth; each connection draws base × [1 − jitter, 1 + jitter]. Default 1 h. */
  maxLifetimeMs: number;
  /** Lifetime jitter fraction. Default 0.1 (54–66 min). */
  lifetimeJitter: number;
  /** Largest inbound message and frame. Default 4 MiB. */
  maxMessageBytes: number;
  /** Outbound queue capacity in frames. Default 64. */
  outboundQueueFrames: number;
  /** Slots replies may not use, kept for broadcasts interleaving a long chunk stream. Default 8. */
  broadcastReserveFrames: number;
  /** Reading pauses while this many inbound frames wait to be handled (pre-auth included). Default 32. */
  inboundQueueFrames: number;
  /** Reading pauses while this many inbound bytes wait to be handled. Default 8 MiB. */
  inboundQueueBytes: number;
  /** After a server close, a peer that has not completed the close handshake is cut off. Default 10 s. */
  closeTimeoutMs: number;
  /**
   * The same for a 4006 slow-consumer close: the peer is behind on reading by definition, so it gets
   * longer to reach the close frame (R7). Default 30 s (the ws library's own close-handshake cap).
   */
  slowConsumerCloseTimeoutMs: number;
  /**
   * Largest first (auth) message; bigger ones close 1009 before any decoding or token parsing, so an
   * unauthenticated peer cannot make the server parse megabytes. Default 64 KiB.
   */
  authFrameMaxBytes: number;
  /**
   * Requests one connection may have running after they released the read loop (RequestContext.release,
   * e.g. waiting on a federation peer). Beyond it the loop waits for the handler as usual. 0 never
   * releases. Default 8.
   */
  maxReleasedRequests: number;
}

export const DEFAULT_CONNECTION_CONFIG: Readonly<ConnectionConfig> = Object.freeze({
  authTimeoutMs: 5_000,
  keepaliveIntervalMs: 30_000,
  livenessCheck: true,
  maxLifetimeMs: 60 * 60 * 1000,
  lifetimeJitter: 0.1,
  maxMessageBytes: MAX_INBOUND_MESSAGE_SIZE,
  outboundQueueFrames: 64,
  broadcastReserveFrames: 8,
  inboundQueueFrames: 32,
  inboundQueueBytes: 8 * 1024 * 1024,
  closeTimeoutMs: 10_000,
  slowConsumerCloseTimeoutMs: 30_000,
  authFrameMaxBytes: 64 * 1024,
  maxReleasedRequests: 8,
});

export function resolveConnectionConfig(
  overrides: Partial<ConnectionConfig> = {},
): Readonly<ConnectionConfig> {
  const config = { ...DEFAULT_CONNECTION_CONFIG, ...overrides };
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`connection config ${key} must be a finite non-negative number`);
    }
  }
  if (config.lifetimeJitter >= 1) throw new RangeError('connection config lifetimeJitter must be below 1');
  if (config.outboundQueueFrames < 1)
    throw new RangeError('connection config outboundQueueFrames must be >= 1');
  if (config.broadcastReserveFrames >= config.outboundQueueFrames) {
    throw new RangeError('connection config broadcastReserveFrames must be below outboundQueueFrames');
  }
  if (config.inboundQueueFrames < 1)
    throw new RangeError('connection config inboundQueueFrames must be >= 1');
  return Object.freeze(config);
}

/** base × uniform factor in [1 − jitter, 1 + jitter); `random` returns [0, 1). */
export function jitteredLifetime(
  config: Pick<ConnectionConfig, 'maxLifetimeMs' | 'lifetimeJitter'>,
  random: () => number,
): number {
  const factor = 1 - config.lifetimeJitter + 2 * config.lifetimeJitter * random();
  return config.maxLifetimeMs * factor;
}
