import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { REQUEST_ID_HEADER, requestIdFrom, routeMatcher, type UserPseudonym } from './access-log.js';
import { authenticateBearer, PUBLIC_PATHS } from './auth.js';
import { jwksResponse, peerStatusResponse, trustedResponse } from './federation.js';
import type { FileRoutesDeps } from './files/deps.js';
import { getFile } from './files/get.js';
import { KeyedLock } from './files/keyed-lock.js';
import { putFile } from './files/put.js';
import { healthResponse } from './health.js';
import { silentHttpLogger } from './logging.js';
import { emptyResponse, jsonResponse, textResponse, withCommonHeaders } from './responses.js';
import {
  type HttpEnv,
  type Method,
  type MethodHandler,
  methodRoute,
  rawPath,
  requestInfo,
} from './router.js';
import type {
  ExtraRoute,
  FederationHttpInfo,
  FederationJwk,
  FederationJwksSource,
  HealthCheck,
  HttpLogger,
  HttpMetrics,
  HttpVariables,
  TokenValidator,
} from './types.js';

export const FILE_ROUTE = '/api/v1/spaces/:space_id/files/:id';
export const CLIENT_WS_PATH = '/api/v1/ws';
export const FEDERATION_WS_PATH = '/api/v1/federation/ws';

/** Everything the HTTP surface is built from (HTTP-14); optional parts switch routes on. */
export interface HttpAppDeps {
  /** `/health` pings it (HTTP-09). */
  readonly health: HealthCheck;
  /** Bearer validation; without it every non-public route answers 500 (HTTP-06). */
  readonly tokenValidator?: TokenValidator | undefined;
  /** The file routes exist only with it (HTTP-01). */
  readonly files?: FileRoutesDeps | undefined;
  /** Federation status; without it the federation routes answer 404 (HTTP-11/12). */
  readonly federation?: FederationHttpInfo | undefined;
  /**
   * Served at `/.well-known/jwks.json` (HTTP-10): a fixed set, or a source asked on every request (the
   * server's reads the active keys from the database, cached briefly) so new keys appear without restart.
   */
  readonly federationJwks?: readonly FederationJwk[] | FederationJwksSource | undefined;
  /** Routes added by the composition root (metrics, development issuer). */
  readonly extraRoutes?: readonly ExtraRoute[] | undefined;
  readonly logger?: HttpLogger | undefined;
  readonly metrics?: HttpMetrics | undefined;
  readonly newRequestId?: (() => string) | undefined;
  /** Labels the caller in access-log lines; without it no user field is logged. */
  readonly userPseudonym?: UserPseudonym | undefined;
}

/** The hono application: `app.fetch` serves a fetch `Request`; Node serving is the app package's. */
export type HttpApp = Hono<HttpEnv>;

/**
 * Builds the HTTP surface with the reference's layering (HTTP-02), outermost first: request id (the
 * caller's `X-Request-Id` when acceptable, echoed back), metrics and one access-log line; CORS/protocol
 * headers (OPTIONS answered 204 for any path); an empty 404 for a path no route serves (before auth, so an
 * unknown path never looks protected); bearer auth except on public paths; routing with 405 and `Allow`;
 * the handler. Nothing here is global: two apps never share state.
 */
export function createHttpApp(deps: HttpAppDeps): HttpApp {
  const app = new Hono<HttpEnv>();
  const rootLogger = deps.logger ?? silentHttpLogger;
  const newRequestId = deps.newRequestId ?? randomUUID;
  const publicPaths = new Set(PUBLIC_PATHS);
  for (const route of deps.extraRoutes ?? []) if (route.public) publicPaths.add(route.path);

  app.use('*', async (c, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER), newRequestId);
    const logger = rootLogger.child({ req_id: requestId });
    c.set('requestId', requestId);
    c.set('logger', logger);
    c.set('route', 'unmatched');
    await next();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const status = c.res.status;
    const route = c.get('route');
    deps.metrics?.observeHttp(route, c.req.method, status, seconds);
    // Unset until the bearer layer accepted a token.
    const auth = c.get('auth') as HttpVariables['auth'] | undefined;
    const fields = {
      method: c.req.method,
      path: rawPath(c.req.url),
      route,
      status,
      ms: Math.round(seconds * 1e6) / 1e3,
      ...(auth !== undefined && deps.userPseudonym ? { user: deps.userPseudonym(auth) } : {}),
    };
    if (status >= 500) logger.error(fields, 'request failed');
    else logger.info(fields, 'request');
  });

  app.use('*', async (c, next) => {
    const echo = { [REQUEST_ID_HEADER]: c.get('requestId') };
    if (c.req.method === 'OPTIONS') {
      c.res = withCommonHeaders(emptyResponse(204), echo);
      return;
    }
    await next();
    c.res = withCommonHeaders(c.res, echo);
  });

  const routePatterns: string[] = [];
  let isKnownPath: ((path: string) => boolean) | undefined;
  const route = (path: string, handlers: Partial<Record<Method, MethodHandler>>) => {
    routePatterns.push(path);
    methodRoute(app, path, handlers);
  };

  app.use('*', async (c, next) => {
    const path = rawPath(c.req.url);
    isKnownPath ??= routeMatcher(routePatterns);
    if (!isKnownPath(path)) {
      c.res = emptyResponse(404);
      return;
    }
    if (publicPaths.has(path)) return next();
    const outcome = await authenticateBearer(
      deps.tokenValidator,
      c.req.header('authorization'),
      c.req.header('x-ucan'),
    );
    if (!outcome.ok) {
      if (outcome.reason !== undefined)
        c.get('logger').debug({ reason: outcome.reason }, 'bearer token refused');
      c.res = outcome.response;
      return;
    }
    c.set('auth', outcome.auth);
    await next();
  });

  app.onError((error, c) => {
    c.get('logger').error({ err: error }, 'unhandled error in HTTP handler');
    return textResponse(500, 'internal error');
  });
  app.notFound(() => emptyResponse(404));

  route('/health', {
    GET: (c) => healthResponse(deps.health, deps.federation, c.get('logger')),
  });
  const jwksSource = deps.federationJwks;
  const jwks =
    typeof jwksSource === 'function' ? jwksSource : constantJwks(Object.freeze([...(jwksSource ?? [])]));
  route('/.well-known/jwks.json', {
    GET: async (c) => {
      try {
        return jwksResponse(await jwks());
      } catch (error) {
        c.get('logger').error({ err: error }, 'federation keys could not be read');
        return jsonResponse(503, { error: 'federation keys unavailable' });
      }
    },
  });
  // Real upgrades never get here (the server hands them to the WebSocket endpoint); a plain GET is
  // a failed handshake, as the reference's extractor answers it.
  const notAnUpgrade: MethodHandler = () => textResponse(400, "Connection header did not include 'upgrade'");
  route(CLIENT_WS_PATH, { GET: notAnUpgrade });
  route(FEDERATION_WS_PATH, { GET: notAnUpgrade });
  route('/api/v1/federation/trusted', { GET: () => trustedResponse(deps.federation) });
  route('/api/v1/federation/status/:domain', {
    GET: (c) => peerStatusResponse(deps.federation, c.req.param('domain') ?? ''),
  });

  const files = deps.files;
  if (files) {
    const lock = files.uploadLock ?? new KeyedLock();
    route(FILE_ROUTE, {
      PUT: (c) =>
        putFile(files, lock, {
          auth: c.get('auth'),
          spaceParam: c.req.param('space_id') ?? '',
          fileParam: c.req.param('id') ?? '',
          headers: c.req.raw.headers,
          body: c.req.raw.body,
          logger: c.get('logger'),
        }),
      GET: (c) =>
        getFile(files, {
          auth: c.get('auth'),
          spaceParam: c.req.param('space_id') ?? '',
          fileParam: c.req.param('id') ?? '',
          headers: c.req.raw.headers,
          headOnly: c.req.method === 'HEAD',
          logger: c.get('logger'),
        }),
    });
  }

  for (const extra of deps.extraRoutes ?? []) {
    const handlers: Partial<Record<Method, MethodHandler>> = {};
    for (const [method, handler] of Object.entries(extra.methods)) {
      if (handler) handlers[method as Method] = (c) => handler(c.req.raw, requestInfo(c));
    }
    route(extra.path, handlers);
  }
  return app;
}

function constantJwks(keys: readonly FederationJwk[]): FederationJwksSource {
  return () => Promise.resolve(keys);
}
