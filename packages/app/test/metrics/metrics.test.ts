import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BoundedLabel, createMetrics, currentBuildInfo, renderMetrics } from '../../src/index.js';

describe('metrics', () => {
  it('renders every metric by name after increments', async () => {
    const metrics = createMetrics();
    metrics.connections.inc({ kind: 'client' });
    metrics.connections.inc({ kind: 'client' });
    metrics.connections.dec({ kind: 'client' });
    metrics.connections.inc({ kind: 'federation' });
    metrics.observeRpc('push', 'ok', 0.004);
    metrics.observeRpc('push', 'conflict', 0.02);
    metrics.pushRecords.inc(3);
    metrics.pullRecords.inc(5);
    metrics.fanoutDeliveries.inc(7);
    metrics.fanoutEvictions.inc();
    metrics.observeHttp('/health', 'GET', 200, 0.001);
    metrics.observeHttp('/api/v1/spaces/:space_id/files/:id', 'PUT', 413, 0.5);

    const { contentType, body } = await renderMetrics(metrics);
    expect(contentType).toContain('text/plain');
    expect(body).toContain('less_sync_connections{kind="client"} 1');
    expect(body).toContain('less_sync_connections{kind="federation"} 1');
    expect(body).toContain('less_sync_rpc_requests_total{method="push",code="ok"} 1');
    expect(body).toContain('less_sync_rpc_requests_total{method="push",code="conflict"} 1');
    expect(body).toContain('less_sync_rpc_duration_seconds_bucket{le="0.005",method="push"} 1');
    expect(body).toContain('less_sync_rpc_duration_seconds_count{method="push"} 2');
    expect(body).toContain('less_sync_push_records_total 3');
    expect(body).toContain('less_sync_pull_records_total 5');
    expect(body).toContain('less_sync_fanout_deliveries_total 7');
    expect(body).toContain('less_sync_fanout_evictions_total 1');
    expect(body).toContain('less_sync_http_requests_total{route="/health",method="GET",status="200"} 1');
    expect(body).toContain(
      'less_sync_http_requests_total{route="/api/v1/spaces/:space_id/files/:id",method="PUT",status="413"} 1',
    );
    expect(body).toContain('less_sync_http_request_duration_seconds_count{route="/health",method="GET"} 1');
    expect(body).toContain('# TYPE less_sync_db_pool_connections gauge');
  });

  it('the pool gauge reads the attached source at each scrape, and stops when detached', async () => {
    const metrics = createMetrics();
    let idle = 4;
    metrics.setPoolStatsSource(() => ({ total: 10, idle, waiting: 2 }));
    let body = (await renderMetrics(metrics)).body;
    expect(body).not.toContain('state="total"');
    expect(body).toContain('less_sync_db_pool_connections{state="idle"} 4');
    expect(body).toContain('less_sync_db_pool_connections{state="in_use"} 6');
    expect(body).toContain('less_sync_db_pool_connections{state="waiting"} 2');
    idle = 1;
    body = (await renderMetrics(metrics)).body;
    expect(body).toContain('less_sync_db_pool_connections{state="idle"} 1');
    expect(body).toContain('less_sync_db_pool_connections{state="in_use"} 9');
    metrics.setPoolStatsSource(undefined);
    idle = 9;
    body = (await renderMetrics(metrics)).body;
    expect(body).toContain('less_sync_db_pool_connections{state="idle"} 1');
  });

  it('less_sync_build_info is 1 with the version and Node.js version as labels', async () => {
    const body = (await renderMetrics(createMetrics({ buildInfo: currentBuildInfo() }))).body;
    const manifest = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const { version } = JSON.parse(manifest) as { version: string };
    expect(body).toContain(`less_sync_build_info{version="${version}",node_version="${process.version}"} 1`);
  });

  it('each app instance has its own registry (no global default registry)', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.pushRecords.inc(2);
    expect(a.registry).not.toBe(b.registry);
    expect((await renderMetrics(b)).body).toContain('less_sync_push_records_total 0');
    expect((await renderMetrics(a)).body).toContain('less_sync_push_records_total 2');
  });

  it('client-chosen label values are bounded: unknown HTTP verbs, odd statuses and excess names become other', async () => {
    const metrics = createMetrics({ maxLabelValues: 2 });
    metrics.observeRpc('a', 'ok', 0.001);
    metrics.observeRpc('b', 'ok', 0.001);
    metrics.observeRpc('c', 'weird', 0.001);
    metrics.observeRpc('a', 'ok', 0.001);
    metrics.observeHttp('/x', 'BREW', 999, 0.001);
    const { body } = await renderMetrics(metrics);
    expect(body).toContain('less_sync_rpc_requests_total{method="a",code="ok"} 2');
    expect(body).toContain('less_sync_rpc_requests_total{method="other",code="weird"} 1');
    expect(body).not.toContain('method="c"');
    expect(body).toContain('less_sync_http_requests_total{route="/x",method="OTHER",status="other"} 1');
  });

  it('BoundedLabel keeps the first values it sees', () => {
    const label = new BoundedLabel(1);
    expect(label.value('x')).toBe('x');
    expect(label.value('y')).toBe('other');
    expect(label.value('x')).toBe('x');
  });

  it('process metrics are opt-in', async () => {
    expect((await renderMetrics(createMetrics())).body).not.toContain('process_cpu_seconds_total');
    const withProcess = createMetrics({ processMetrics: true });
    expect((await renderMetrics(withProcess)).body).toContain('process_cpu_seconds_total');
  });
});
