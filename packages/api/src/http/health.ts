import { jsonResponse } from './responses.js';
import type { FederationHttpInfo, HealthCheck, HttpLogger } from './types.js';

/**
 * HTTP-09: 200 `{"status":"healthy"}` (plus the federation summary when federation is on) when the
 * database answers, else 503 `{"status":"unhealthy","error":"database unavailable"}`. `peer_count` is
 * the number of trusted domains, not of connected peers.
 */
export async function healthResponse(
  health: HealthCheck,
  federation: FederationHttpInfo | undefined,
  logger: HttpLogger,
): Promise<Response> {
  try {
    await health.ping();
  } catch (error) {
    logger.warn({ err: error }, 'health check: database ping failed');
    return jsonResponse(503, { status: 'unhealthy', error: 'database unavailable' });
  }
  const broker = health.broker?.();
  if (broker !== undefined && broker.state !== 'ok') {
    // Local delivery goes on and other instances catch up from the database: degraded, still serving.
    return jsonResponse(200, {
      status: 'degraded',
      broker: { transport: broker.kind, state: broker.state, error: broker.detail ?? '' },
    });
  }
  const outbound = outboundBlock(health);
  if (federation === undefined) return jsonResponse(200, { status: 'healthy', ...outbound });
  return jsonResponse(200, {
    status: 'healthy',
    federation: {
      enabled: true,
      peer_count: federation.trustedDomains().length,
      connections: await federation.totalConnections(),
    },
    ...outbound,
  });
}

/** The origin side's links, one entry per peer domain; absent without a forwarder. */
function outboundBlock(health: HealthCheck): Record<string, unknown> {
  const peers = health.outboundPeers?.();
  if (peers === undefined) return {};
  return {
    federation_outbound: {
      peers: peers.map((p) => ({
        domain: p.domain,
        state: p.state,
        pending_calls: p.pendingCalls,
        subscriptions: p.subscriptions,
        ...(p.lastError === undefined ? {} : { last_error: p.lastError }),
      })),
    },
  };
}
