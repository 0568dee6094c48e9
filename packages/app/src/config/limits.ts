import { MAX_INBOUND_MESSAGE_SIZE } from '@less-sync/core';
import { readUnsigned } from './env.js';
import type { Env } from './types.js';

/** Limits an operator expects on abuse: every one has a default, a variable and a metric when hit. */
export interface LimitsConfig {
  /** `WS_AUTH_FRAME_MAX_BYTES`: largest first (auth) WebSocket message; above it the socket closes 1009. */
  readonly authFrameMaxBytes: number;
  /** `WS_MAX_CONNECTIONS_PER_IP`: open client WebSockets per remote address; above it the upgrade is 429. */
  readonly maxConnectionsPerIp: number;
  /** `WS_MAX_CONNECTIONS_PER_USER`: open client WebSockets per (issuer, user); above it 4003. */
  readonly maxConnectionsPerUser: number;
  /** `HTTP_HEADERS_TIMEOUT_MS`: time to receive a request's headers; then 408 and the socket closes. */
  readonly httpHeadersTimeoutMs: number;
  /** `HTTP_REQUEST_TIMEOUT_MS`: time to receive a whole request (headers and body); then 408. */
  readonly httpRequestTimeoutMs: number;
  /** `UPLOAD_IDLE_TIMEOUT_MS`: a file upload whose body stalls this long is cut off with 408. */
  readonly uploadIdleTimeoutMs: number;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  authFrameMaxBytes: 64 * 1024,
  maxConnectionsPerIp: 256,
  maxConnectionsPerUser: 32,
  httpHeadersTimeoutMs: 30_000,
  // A 100 MiB upload at ~120 KB/s; a stalled one is cut sooner by the idle timeout.
  httpRequestTimeoutMs: 900_000,
  uploadIdleTimeoutMs: 30_000,
};

export function parseLimits(env: Env): LimitsConfig {
  const d = DEFAULT_LIMITS;
  return {
    authFrameMaxBytes: readUnsigned(env, 'WS_AUTH_FRAME_MAX_BYTES', d.authFrameMaxBytes, {
      max: MAX_INBOUND_MESSAGE_SIZE,
    }),
    maxConnectionsPerIp: readUnsigned(env, 'WS_MAX_CONNECTIONS_PER_IP', d.maxConnectionsPerIp),
    maxConnectionsPerUser: readUnsigned(env, 'WS_MAX_CONNECTIONS_PER_USER', d.maxConnectionsPerUser),
    httpHeadersTimeoutMs: readUnsigned(env, 'HTTP_HEADERS_TIMEOUT_MS', d.httpHeadersTimeoutMs),
    httpRequestTimeoutMs: readUnsigned(env, 'HTTP_REQUEST_TIMEOUT_MS', d.httpRequestTimeoutMs),
    uploadIdleTimeoutMs: readUnsigned(env, 'UPLOAD_IDLE_TIMEOUT_MS', d.uploadIdleTimeoutMs, {
      allowZero: true,
    }),
  };
}
