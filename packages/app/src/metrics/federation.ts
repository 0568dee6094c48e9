import { Counter, Gauge, type Registry } from 'prom-client';

/** Operator metrics of the federation home side (labels are bounded: trusted domains, fixed method/kind/reason sets). */
export interface FederationAppMetrics {
  /** Open inbound peer sockets per peer domain. */
  readonly peerSockets: Gauge<'domain'>;
  /** Federation requests and re-broadcasts by method and outcome (`ok`, `refused` or the error code). */
  readonly calls: Counter<'method' | 'outcome'>;
  /** Refusals by the per-peer limits, by kind. */
  readonly quotaRejections: Counter<'kind'>;
  /** Refused upgrade signatures by reason. */
  readonly signatureFailures: Counter<'reason'>;
}

export function createFederationMetrics(registry: Registry): FederationAppMetrics {
  const registers = [registry];
  return {
    peerSockets: new Gauge({
      name: 'less_sync_federation_peer_sockets',
      help: 'Open inbound federation sockets, by peer domain',
      labelNames: ['domain'] as const,
      registers,
    }),
    calls: new Counter({
      name: 'less_sync_federation_calls_total',
      help: 'Federation calls from peers, by method and outcome',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    quotaRejections: new Counter({
      name: 'less_sync_federation_quota_rejections_total',
      help: 'Peer requests refused by a per-peer quota, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    signatureFailures: new Counter({
      name: 'less_sync_federation_signature_failures_total',
      help: 'Federation upgrades refused by the signature checks, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}
