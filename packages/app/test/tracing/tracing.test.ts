import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NOOP_TRACING, startTracing } from '../../src/index.js';
import { load, loadError } from '../config/helpers.js';
import { devToken, type ServerFixture, startServer } from '../server/helpers.js';
import { WsClient } from '../server/ws-client.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
  service: string | undefined;
}

type AnyValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean };

/** A tiny OTLP/HTTP (JSON) receiver on loopback: collects every span posted to /v1/traces. */
async function startReceiver(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  paths: string[];
  close(): Promise<void>;
}> {
  const spans: ReceivedSpan[] = [];
  const paths: string[] = [];
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const parsed = JSON.parse(body) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: AnyValue }> };
          scopeSpans: Array<{
            spans: Array<{
              traceId: string;
              spanId: string;
              parentSpanId?: string;
              name: string;
              attributes: Array<{ key: string; value: AnyValue }>;
            }>;
          }>;
        }>;
      };
      for (const rs of parsed.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            const attributes = Object.fromEntries(
              span.attributes.map((a) => [
                a.key,
                a.value.stringValue ?? a.value.intValue ?? a.value.boolValue,
              ]),
            );
            spans.push({ ...span, attributes, service });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    paths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let fixture: ServerFixture | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  await receiver?.close();
  receiver = undefined;
});

describe('OPS-TRACE OpenTelemetry', () => {
  it('OPS-TRACE-01 configuration: the traces URL from either variable, service name, bad URLs named', () => {
    expect(load().tracing).toBeUndefined();
    expect(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'less-sync',
    });
    expect(
      load({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://c.example/otlp/traces',
        OTEL_SERVICE_NAME: 'sync-eu',
      }).tracing,
    ).toEqual({ tracesUrl: 'https://c.example/otlp/traces', serviceName: 'sync-eu' });
    expect(loadError({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://c:4317' }).variable).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
  });

  it('OPS-TRACE-02 off: the no-op runs the function directly and reports nothing active', async () => {
    expect(await startTracing(undefined)).toBe(NOOP_TRACING);
    expect(await NOOP_TRACING.span('x', {}, async () => 42)).toBe(42);
    expect(NOOP_TRACING.active()).toBe(false);
  });

  it('OPS-TRACE-03 HTTP requests, RPC calls and their database calls are exported to the OTLP endpoint', async () => {
    receiver = await startReceiver();
    fixture = await startServer({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'sync-test',
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    await fetch(`${fixture.url}/health`, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
    const alice = await devToken(fixture.url, 'alice');
    const client = await WsClient.connect(fixture.wsUrl, alice.token);
    await client.call('push', {
      space: alice.personal_space_id as string,
      changes: [{ id: crypto.randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }],
    });
    client.close();
    // Shutdown flushes the batch.
    await fixture.close();
    fixture = undefined;

    const { spans } = receiver;
    expect(receiver.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['sync-test']));
    const health = spans.find((s) => s.name === 'GET /health');
    expect(health).toMatchObject({ traceId, parentSpanId: callerSpan });
    expect(health?.attributes).toMatchObject({ 'http.route': '/health', 'http.response.status_code': 200 });
    const push = spans.find((s) => s.name === 'rpc push');
    expect(push?.attributes).toMatchObject({ 'rpc.method': 'push' });
    if (process.env.TEST_DATABASE_URL) {
      const db = spans.filter((s) => s.name === 'db.query');
      expect(db.some((s) => s.parentSpanId === health?.spanId)).toBe(true);
      expect(db.some((s) => s.parentSpanId === push?.spanId && s.traceId === push?.traceId)).toBe(true);
      expect(db.every((s) => s.attributes['db.system'] === 'postgresql')).toBe(true);
    }
  });
});
