import {
  type ApiServices,
  buildFederationTrust,
  COMMON_HEADERS,
  createFederationEndpoint,
  type FederationEndpoint,
  type FederationMetrics,
  type FederationQuota,
  type FederationQuotaLimits,
  type FstKeys,
  type RebroadcastGate,
} from '@less-sync/api';
import { deriveFstKey } from '@less-sync/auth';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { type AppMetrics, createFederationMetrics } from '../metrics/index.js';

export interface FederationInbound {
  readonly endpoint: FederationEndpoint;
  /** R17: the origin side records here which spaces local clients subscribed to through which peer. */
  readonly ledger: RebroadcastGate;
}

const utf8 = new TextEncoder();

/** FED-KEY-06: HMAC-derived keys from the configured secrets; none without a primary secret. */
function fstKeys(config: Config['federation']): FstKeys | undefined {
  if (config.fstSecret === undefined) return undefined;
  return {
    primary: deriveFstKey(utf8.encode(config.fstSecret)),
    previous:
      config.fstPreviousSecret === undefined
        ? undefined
        : deriveFstKey(utf8.encode(config.fstPreviousSecret)),
  };
}

function metricHooks(metrics: AppMetrics): FederationMetrics {
  const fed = createFederationMetrics(metrics.registry);
  return {
    peerSocketOpened(domain) {
      fed.peerSockets.inc({ domain });
      metrics.connections.inc({ kind: 'federation' });
    },
    peerSocketClosed(domain) {
      fed.peerSockets.dec({ domain });
      metrics.connections.dec({ kind: 'federation' });
    },
    call: (method, outcome) => fed.calls.inc({ method, outcome }),
    quotaRejected: (kind) => fed.quotaRejections.inc({ kind }),
    signatureFailed: (reason) => fed.signatureFailures.inc({ reason }),
  };
}

/**
 * FED-KEY-08: the inbound side exists only with `FEDERATION_TRUSTED_KEYS`. Builds the static trust map
 * (a key that is not an Ed25519 point stops the start), the per-peer quota counters (service-wide on
 * PostgreSQL, CLUSTER-07), the FST keys and
 * the federation WebSocket endpoint on the shared services (one broker: peer sockets receive local
 * changes of the spaces they subscribed).
 */
export function createFederationInbound(
  config: Config,
  services: ApiServices,
  metrics: AppMetrics,
  logger: Logger,
  quotaFor: (limits: FederationQuotaLimits) => FederationQuota,
): FederationInbound | undefined {
  const fed = config.federation;
  if (!fed.inboundEnabled) return undefined;
  const trust = buildFederationTrust(fed.trustedKeys, fed.trustedDomains);
  // The origin side's record of remote subscriptions is the gate (R17).
  const ledger = services.remote;
  const endpoint = createFederationEndpoint(services, {
    trust,
    quota: quotaFor(fed.quotas),
    fstKeys: fstKeys(fed),
    publicUrls: config.publicUrl === undefined ? [] : [config.publicUrl],
    gate: ledger,
    metrics: metricHooks(metrics),
    upgradeHeaders: COMMON_HEADERS,
  });
  logger.info(
    { peers: trust.trustedDomains, keys: trust.keys.size, fst: fed.fstSecret !== undefined },
    'federation inbound enabled',
  );
  return { endpoint, ledger };
}
