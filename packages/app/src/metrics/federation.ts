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

/** What the outbound metrics read at scrape time (the peer manager's per-peer status). */
export type OutboundPeerGaugeSource = () => readonly {
  readonly domain: string;
  readonly state: string;
  readonly pendingCalls: number;
  readonly subscriptions: number;
}[];

const LINK_STATES = ['idle', 'connecting', 'connected', 'backoff', 'closed'] as const;

/**
 * The origin side per peer domain (labels bounded by the peers this server calls): link state (1 for
 * the current one), calls waiting for an answer, and remote subscriptions held.
 */
export function registerOutboundFederationMetrics(registry: Registry, peers: OutboundPeerGaugeSource): void {
  const registers = [registry];
  new Gauge({
    name: 'less_sync_federation_outbound_state',
    help: 'Outbound federation link state per peer domain (1 = current state)',
    labelNames: ['domain', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of peers()) {
        for (const state of LINK_STATES) this.set({ domain: p.domain, state }, p.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'less_sync_federation_outbound_pending_calls',
    help: 'Forwarded calls waiting for the home server, per peer domain',
    labelNames: ['domain'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of peers()) this.set({ domain: p.domain }, p.pendingCalls);
    },
  });
  new Gauge({
    name: 'less_sync_federation_outbound_subscriptions',
    help: 'Spaces subscribed at each peer on behalf of local clients',
    labelNames: ['domain'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of peers()) this.set({ domain: p.domain }, p.subscriptions);
    },
  });
}
