import type { ApiMetrics, ExtraRoute, HttpMetrics } from '@less-sync/api';
import { type AppMetrics, renderMetrics } from '../metrics/index.js';
import { NOOP_TRACING, type Tracing } from '../tracing/index.js';

export const METRICS_PATH = '/metrics';

/** The API's metric hooks backed by the app's Prometheus registry; the RPC `code` label is `ok` or the error code. */
export function apiMetricsHooks(metrics: AppMetrics, tracing: Tracing = NOOP_TRACING): ApiMetrics {
  return {
    ...(tracing.enabled
      ? {
          rpcScope: <T>(method: string, run: () => Promise<T>) =>
            tracing.span(`rpc ${method}`, { 'rpc.system': 'less-rpc', 'rpc.method': method }, run, {
              kind: 'server',
            }),
        }
      : {}),
    rpcRequest(method, durationMs, outcome, code) {
      metrics.observeRpc(method, outcome === 'ok' ? 'ok' : (code ?? 'error'), durationMs / 1000);
    },
    notification(_method, delivered) {
      metrics.fanoutDeliveries.inc(delivered);
    },
    pushRecords(count) {
      metrics.pushRecords.inc(count);
    },
    pullRecords(count) {
      metrics.pullRecords.inc(count);
    },
  };
}

export function httpMetricsHooks(metrics: AppMetrics, tracing: Tracing = NOOP_TRACING): HttpMetrics {
  return {
    observeHttp: (route, method, status, seconds) => {
      metrics.observeHttp(route, method, status, seconds);
      // Runs inside the request: name its span after the route pattern (never the raw path).
      tracing.annotate({ 'http.route': route }, `${method} ${route}`);
    },
  };
}

/** `GET /metrics`: the Prometheus text exposition (public, like `/health`). */
export function metricsRoute(metrics: AppMetrics): ExtraRoute {
  return {
    path: METRICS_PATH,
    public: true,
    methods: {
      GET: async () => {
        const { contentType, body } = await renderMetrics(metrics);
        return new Response(body, { status: 200, headers: { 'Content-Type': contentType } });
      },
    },
  };
}
