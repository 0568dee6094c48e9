import { quote, readTrimmed } from './env.js';
import { ConfigError } from './errors.js';
import { parseUrl } from './issuers.js';
import type { Env } from './types.js';

/** Where spans go (OTLP over HTTP, JSON) and under which service name. */
export interface TracingConfig {
  /** Full traces URL, e.g. `http://collector:4318/v1/traces`. */
  readonly tracesUrl: string;
  readonly serviceName: string;
}

/**
 * OpenTelemetry's standard variables: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL) wins over
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL, `/v1/traces` appended); neither set → tracing off (undefined).
 * `OTEL_SERVICE_NAME` defaults to `less-sync`.
 */
export function parseTracing(env: Env): TracingConfig | undefined {
  const traces = readTrimmed(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = readTrimmed(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const name = traces !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const raw = traces ?? base;
  if (raw === undefined) return undefined;
  const url = parseUrl(raw);
  if (typeof url === 'string') throw new ConfigError(name, `invalid ${name} ${quote(raw)}: ${url}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `invalid ${name} ${quote(raw)}: must use http or https (OTLP over HTTP)`);
  }
  const tracesUrl = traces !== undefined ? url.href : `${url.href.replace(/\/+$/, '')}/v1/traces`;
  return { tracesUrl, serviceName: readTrimmed(env, 'OTEL_SERVICE_NAME') ?? 'less-sync' };
}
