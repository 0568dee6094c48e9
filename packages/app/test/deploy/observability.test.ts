import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics, currentBuildInfo } from '../../src/index.js';

const DEPLOY = fileURLToPath(new URL('../../../../deploy/observability/', import.meta.url));

/** Every series name the server exports, histogram and summary series included. */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = createMetrics({ processMetrics: true, buildInfo: currentBuildInfo() });
  const names = new Set<string>(['up']);
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    // MetricType is a string enum: compare its values.
    const type = String(metric.type);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(metric.name + s);
  }
  return names;
}

const PROMQL_FUNCTIONS = new Set([
  'sum',
  'rate',
  'increase',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'histogram_quantile',
  'label_values',
  'le',
  'on',
  'ignoring',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
]);

/** Metric names an expression refers to: its identifiers once strings, matchers, ranges, groupings and functions are gone. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/label_values\(([^,)]+),[^)]*\)/g, 'label_values($1)');
  const withoutGroupings = withoutStrings.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  const names = withoutGroupings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return names.filter(
    (n) => !PROMQL_FUNCTIONS.has(n) && !n.startsWith('$') && !/^__/.test(n) && !/^\d/.test(n),
  );
}

describe('OPS-OBS shipped dashboard and alert rules', () => {
  it('OPS-OBS-01 every metric in the Prometheus alert rules exists', async () => {
    const series = await exportedSeries();
    const rules = parse(readFileSync(`${DEPLOY}alerts.yml`, 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const used = rules.groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr)));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !series.has(name))).toEqual([]);
  });

  it('OPS-OBS-02 every metric in the Grafana dashboard exists, and each panel has a query', async () => {
    const series = await exportedSeries();
    const dashboard = JSON.parse(readFileSync(`${DEPLOY}grafana-dashboard.json`, 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ query: string }> };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.map((v) => v.query).filter((q) => q.startsWith('label_values')),
    ];
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    const used = exprs.flatMap(metricNames);
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !series.has(name))).toEqual([]);
  });

  it('OPS-OBS-03 the name check itself catches an unknown metric', async () => {
    const series = await exportedSeries();
    const used = metricNames('sum by (code) (rate(less_sync_rpc_requestz_total{code="ok"}[5m]))');
    expect(used).toEqual(['less_sync_rpc_requestz_total']);
    expect(series.has(used[0] as string)).toBe(false);
  });
});
