import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Database pool occupancy, read at scrape time from whatever pool the app runs on. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export type ConnectionKind = 'client' | 'federation';

/** Typed handles to every metric, one set per app instance (no global registry). */
export interface AppMetrics {
  readonly registry: Registry;
  /** Open WebSocket connections. */
  readonly connections: Gauge<'kind'>;
  readonly rpcRequests: Counter<'method' | 'code'>;
  readonly rpcDuration: Histogram<'method'>;
  readonly pushRecords: Counter;
  readonly pullRecords: Counter;
  /** Notifications handed to subscribers' outbound queues. */
  readonly fanoutDeliveries: Counter;
  /** Subscribers closed as slow consumers (R7). */
  readonly fanoutEvictions: Counter;
  /** Requests and connections refused by an operator limit (`limit` is the limit's variable name). */
  readonly limitRejections: Counter<'limit'>;
  readonly dbPoolConnections: Gauge<'state'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  /** Count one finished RPC; `code` is `ok` or the error code. Label values are bounded. */
  observeRpc(method: string, code: string, seconds: number): void;
  /** Count one HTTP response; `route` must be the route pattern (e.g. `/api/v1/spaces/:id/files/:id`). */
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  /** Attach (or detach with undefined) the pool whose stats the pool gauge reports at each scrape. */
  setPoolStatsSource(source: (() => PoolStats) | undefined): void;
}

export interface MetricsOptions {
  /** Also export Node process metrics (CPU, memory, event loop lag, GC). Off unless the server asks. */
  readonly processMetrics?: boolean;
  /** Distinct values kept per client-influenced label before further ones become `other`. */
  readonly maxLabelValues?: number;
  /** Labels of the constant `less_sync_build_info` gauge (value 1). */
  readonly buildInfo?: BuildInfo;
}

export interface BuildInfo {
  readonly version: string;
  readonly nodeVersion: string;
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HTTP_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH']);

/**
 * RPC method names and error codes come from clients' bytes; an unbounded label would let a client
 * grow the registry without limit, so after `max` distinct values the rest share `other`.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(raw);
    return raw;
  }
}

export function createMetrics(options: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  const registers = [registry];
  const maxLabels = options.maxLabelValues ?? 128;
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const connections = new Gauge({
    name: 'less_sync_connections',
    help: 'Open WebSocket connections',
    labelNames: ['kind'] as const,
    registers,
  });
  const rpcRequests = new Counter({
    name: 'less_sync_rpc_requests_total',
    help: 'RPC requests finished, by method and result code',
    labelNames: ['method', 'code'] as const,
    registers,
  });
  const rpcDuration = new Histogram({
    name: 'less_sync_rpc_duration_seconds',
    help: 'RPC handling time in seconds, by method',
    labelNames: ['method'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const pushRecords = new Counter({
    name: 'less_sync_push_records_total',
    help: 'Records accepted by push',
    registers,
  });
  const pullRecords = new Counter({
    name: 'less_sync_pull_records_total',
    help: 'Records sent by pull',
    registers,
  });
  const fanoutDeliveries = new Counter({
    name: 'less_sync_fanout_deliveries_total',
    help: 'Realtime notifications queued to subscribers',
    registers,
  });
  const fanoutEvictions = new Counter({
    name: 'less_sync_fanout_evictions_total',
    help: 'Subscribers closed because their outbound queue overflowed',
    registers,
  });

  const limitRejections = new Counter({
    name: 'less_sync_limit_rejections_total',
    help: 'Requests or connections refused by a configured limit, by limit',
    labelNames: ['limit'] as const,
    registers,
  });

  let poolSource: (() => PoolStats) | undefined;
  const dbPoolConnections = new Gauge({
    name: 'less_sync_db_pool_connections',
    help: 'Database pool by state: idle and in_use connections, waiting callers (no connection free)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      if (poolSource === undefined) return;
      const stats = poolSource();
      // States partition the pool (idle + in_use = open connections), so sum() is meaningful.
      dbPoolConnections.set({ state: 'idle' }, stats.idle);
      dbPoolConnections.set({ state: 'in_use' }, Math.max(0, stats.total - stats.idle));
      dbPoolConnections.set({ state: 'waiting' }, stats.waiting);
    },
  });

  const build = options.buildInfo ?? { version: 'unknown', nodeVersion: process.version };
  const buildInfo = new Gauge({
    name: 'less_sync_build_info',
    help: 'Always 1; the labels say which build is running',
    labelNames: ['version', 'node_version'] as const,
    registers,
  });
  buildInfo.set({ version: build.version, node_version: build.nodeVersion }, 1);

  const httpRequests = new Counter({
    name: 'less_sync_http_requests_total',
    help: 'HTTP responses, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'less_sync_http_request_duration_seconds',
    help: 'HTTP handling time in seconds, by route pattern and method',
    labelNames: ['route', 'method'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });

  const methods = new BoundedLabel(maxLabels);
  const codes = new BoundedLabel(maxLabels);
  const routes = new BoundedLabel(maxLabels);

  return {
    registry,
    connections,
    rpcRequests,
    rpcDuration,
    pushRecords,
    pullRecords,
    fanoutDeliveries,
    fanoutEvictions,
    limitRejections,
    dbPoolConnections,
    httpRequests,
    httpDuration,
    observeRpc(method, code, seconds) {
      const m = methods.value(method);
      rpcRequests.inc({ method: m, code: codes.value(code) });
      rpcDuration.observe({ method: m }, seconds);
    },
    observeHttp(route, method, status, seconds) {
      const r = routes.value(route);
      const verb = HTTP_METHODS.has(method) ? method : 'OTHER';
      const code = Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
      httpRequests.inc({ route: r, method: verb, status: code });
      httpDuration.observe({ route: r, method: verb }, seconds);
    },
    setPoolStatsSource(source) {
      poolSource = source;
    },
  };
}

/** The Prometheus text exposition of every metric, with its content type, for `GET /metrics`. */
export async function renderMetrics(metrics: Pick<AppMetrics, 'registry'>): Promise<{
  contentType: string;
  body: string;
}> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
