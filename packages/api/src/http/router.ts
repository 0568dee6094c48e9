import type { Context, Hono } from 'hono';
import { emptyResponse } from './responses.js';
import type { HttpVariables, RequestInfo } from './types.js';

export type HttpEnv = { Variables: HttpVariables; Bindings: NodeBindings };

/** What @hono/node-server passes as `c.env` (absent when the app is called with a bare Request). */
export interface NodeBindings {
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string } };
}

export type HttpContext = Context<HttpEnv>;
export type MethodHandler = (c: HttpContext) => Response | Promise<Response>;
export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST';

/**
 * Registers `path` for the given methods; any other method gets 405 with an empty body and `Allow`
 * (HTTP-02). A GET handler also answers HEAD unless HEAD has its own: Hono routes HEAD as GET and
 * drops the body, and the handler can tell by `c.req.method`.
 */
export function methodRoute(
  app: Hono<HttpEnv>,
  path: string,
  handlers: Partial<Record<Method, MethodHandler>>,
): void {
  const table: Partial<Record<Method, MethodHandler>> = { ...handlers };
  if (table.GET && !table.HEAD) table.HEAD = table.GET;
  const allow = (Object.keys(table) as Method[]).join(', ');
  app.all(path, (c) => {
    c.set('route', path);
    const handler = table[c.req.method as Method];
    if (!handler) return emptyResponse(405, { Allow: allow });
    return handler(c);
  });
}

/** The raw request path: no query, no percent-decoding (the public-path check is exact, HTTP-05). */
export function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

export function requestInfo(c: HttpContext): RequestInfo {
  return {
    remoteAddress: c.env?.incoming?.socket?.remoteAddress,
    requestId: c.get('requestId'),
    logger: c.get('logger'),
  };
}
