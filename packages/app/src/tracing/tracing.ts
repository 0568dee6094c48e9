import { AsyncLocalStorage } from 'node:async_hooks';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { TracingConfig } from '../config/types.js';

export type SpanKind = 'server' | 'client' | 'internal';

/** What instrumented code may do with its span. */
export interface SpanHandle {
  setAttributes(attributes: Attributes): void;
  /** Marks the span failed (an error status; the exception is recorded when given). */
  fail(error?: unknown): void;
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  /** Incoming headers to continue a caller's trace from (`traceparent`). */
  readonly carrier?: Record<string, string | string[] | undefined>;
  /** Only record the span when a parent span is active (e.g. database calls outside any request). */
  readonly childOnly?: boolean;
}

/**
 * The app's tracing surface. Off (no endpoint configured) it is `NOOP_TRACING`: `span` calls the function
 * straight away and no OpenTelemetry code is ever loaded.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** Runs `fn` inside a new span, a child of the current one; the span ends when `fn` settles. */
  span<T>(
    name: string,
    attributes: Attributes,
    fn: (span: SpanHandle) => Promise<T>,
    options?: SpanOptions,
  ): Promise<T>;
  /** Adds attributes to the current span, and renames it when `name` is given (e.g. once the route is known). */
  annotate(attributes: Attributes, name?: string): void;
  /** Whether a span is current (cheap: lets callers skip work for spans that would not be recorded). */
  active(): boolean;
  /** Flushes and stops the exporter (bounded by the SDK's export timeout). */
  shutdown(): Promise<void>;
}

const noopHandle: SpanHandle = { setAttributes() {}, fail() {} };

export const NOOP_TRACING: Tracing = Object.freeze({
  enabled: false,
  span: <T>(_n: string, _a: Attributes, fn: (span: SpanHandle) => Promise<T>) => fn(noopHandle),
  annotate() {},
  active: () => false,
  shutdown: async () => {},
});

/** How long the exporter may take per batch; shutdown waits at most this long. */
const EXPORT_TIMEOUT_MS = 5_000;

/**
 * Tracing for `config` (or the no-op). The SDK is imported only here, on demand. Nothing is registered
 * globally: spans are parented through this instance's own AsyncLocalStorage, so two servers in one
 * process (tests) never share a trace context.
 */
export async function startTracing(config: TracingConfig | undefined): Promise<Tracing> {
  if (config === undefined) return NOOP_TRACING;
  const [api, core, resources, sdk, exporterModule] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const exporter = new exporterModule.OTLPTraceExporter({
    url: config.tracesUrl,
    timeoutMillis: EXPORT_TIMEOUT_MS,
  });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter, { exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });
  const tracer: Tracer = provider.getTracer('less-sync');
  const propagator = new core.W3CTraceContextPropagator();
  const current = new AsyncLocalStorage<Span>();
  const kinds = { server: api.SpanKind.SERVER, client: api.SpanKind.CLIENT, internal: api.SpanKind.INTERNAL };

  return {
    enabled: true,
    async span(name, attributes, fn, options = {}) {
      const parentSpan = current.getStore();
      if (options.childOnly && parentSpan === undefined) return fn(noopHandle);
      let parent: Context = api.ROOT_CONTEXT;
      if (parentSpan !== undefined) parent = api.trace.setSpan(api.ROOT_CONTEXT, parentSpan);
      else if (options.carrier !== undefined) {
        parent = propagator.extract(api.ROOT_CONTEXT, options.carrier, api.defaultTextMapGetter);
      }
      const span = tracer.startSpan(name, { attributes, kind: kinds[options.kind ?? 'internal'] }, parent);
      const handle: SpanHandle = {
        setAttributes: (more) => span.setAttributes(more),
        fail: (error) => {
          if (error instanceof Error) span.recordException(error);
          span.setStatus({ code: api.SpanStatusCode.ERROR });
        },
      };
      try {
        return await current.run(span, () => fn(handle));
      } catch (error) {
        handle.fail(error);
        throw error;
      } finally {
        span.end();
      }
    },
    annotate(attributes, name) {
      const span = current.getStore();
      span?.setAttributes(attributes);
      if (name !== undefined) span?.updateName(name);
    },
    active: () => current.getStore() !== undefined,
    shutdown: () => provider.shutdown(),
  };
}
