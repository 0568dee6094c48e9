import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Tracing } from './tracing.js';

/** Query text kept on a database span (parameters are never recorded). */
const MAX_STATEMENT_CHARS = 1_000;

/**
 * One server span per HTTP request, continuing the caller's `traceparent`. The route is not known here;
 * the HTTP metrics hook names the span after it (`annotate`) from inside the request.
 */
export function tracedRequestListener(tracing: Tracing, listener: RequestListener): RequestListener {
  if (!tracing.enabled) return listener;
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    void tracing.span(
      `${req.method ?? 'HTTP'}`,
      { 'http.request.method': req.method ?? '', 'url.path': path },
      (span) =>
        new Promise<void>((resolve) => {
          res.once('close', () => {
            span.setAttributes({ 'http.response.status_code': res.statusCode });
            if (res.statusCode >= 500) span.fail();
            resolve();
          });
          listener(req, res);
        }),
      { kind: 'server', carrier: req.headers },
    );
  };
}

/** The part of a pg client the wrapper needs. */
interface QueryClient {
  query: (...args: unknown[]) => unknown;
}

/**
 * Database spans for every promise-style query a pg client runs inside a request or RPC span (callback
 * and streaming forms pass through untouched). Hooked on the pool's `connect` event, so every client,
 * present and future, is covered.
 */
export function tracePgPool(
  tracing: Tracing,
  pool: { on(event: 'connect', listener: (client: QueryClient) => void): unknown },
): void {
  if (!tracing.enabled) return;
  pool.on('connect', (client) => {
    const original = client.query.bind(client);
    client.query = (...args: unknown[]) => {
      const [first] = args;
      const streaming =
        typeof args.at(-1) === 'function' ||
        (typeof first === 'object' &&
          first !== null &&
          typeof (first as { submit?: unknown }).submit === 'function');
      if (streaming || !tracing.active()) return original(...args);
      const text =
        typeof first === 'string' ? first : String((first as { text?: unknown } | null)?.text ?? '');
      return tracing.span(
        'db.query',
        { 'db.system': 'postgresql', 'db.query.text': text.slice(0, MAX_STATEMENT_CHARS) },
        () => original(...args) as Promise<unknown>,
        { kind: 'client', childOnly: true },
      );
    };
  });
}
