import { describe, expect, it } from 'vitest';
import { authenticateBearer } from '../../src/http/auth.js';
import { COMMON_HEADERS, createHttpApp, type HttpAppDeps, MAX_UCAN_HEADER_BYTES } from '../../src/index.js';
import { bearer, healthy, StubValidator, unhealthy } from './helpers.js';

const withAuth = (extra: Partial<HttpAppDeps> = {}) =>
  createHttpApp({ health: healthy, tokenValidator: new StubValidator(), ...extra });

describe('HTTP-03/HTTP-04 common headers and preflight', () => {
  it('HTTP-03 preflight_options_returns_no_content_and_cors_headers (any path, no auth configured)', async () => {
    const app = createHttpApp({ health: healthy });
    const res = await app.request('/api/v1/ws', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT, HEAD, POST, OPTIONS');
    for (const [name, value] of Object.entries(COMMON_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });

  it('HTTP-03 OPTIONS on a protected or unknown path skips auth and routing', async () => {
    const app = withAuth();
    for (const path of ['/api/v1/federation/trusted', '/nope', '/health/']) {
      const res = await app.request(path, { method: 'OPTIONS' });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-max-age')).toBe('86400');
      expect(res.headers.get('vary')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('HTTP-04 all_responses_include_protocol_version_header', async () => {
    const app = createHttpApp({ health: healthy });
    const res = await app.request('/health');
    expect(res.headers.get('x-protocol-version')).toBe('1');
  });

  it('HTTP-04 the common headers are on errors, 404, 405 and 503 too; a request version is ignored', async () => {
    const app = withAuth({ health: unhealthy });
    const responses = [
      await app.request('/health', { headers: { 'X-Protocol-Version': '7' } }),
      await app.request('/nope'),
      await app.request('/nope', { headers: bearer('valid-token') }),
      await app.request('/health', { method: 'POST' }),
    ];
    expect(responses.map((r) => r.status)).toEqual([503, 404, 404, 405]);
    for (const res of responses) {
      expect(res.headers.get('x-protocol-version')).toBe('1');
      expect(res.headers.get('access-control-expose-headers')).toBe('X-Wrapped-DEK');
      expect(res.headers.get('access-control-allow-headers')).toBe(
        'Content-Type, Content-Length, Authorization, X-UCAN, X-Wrapped-DEK, X-Record-ID',
      );
    }
  });
});

describe('HTTP-09 /health', () => {
  it('HTTP-09 health_returns_ok_when_backend_is_healthy (public, exact body)', async () => {
    const app = withAuth();
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"status":"healthy"}');
  });

  it('HTTP-09 health_returns_unavailable_when_backend_ping_fails', async () => {
    const app = createHttpApp({ health: unhealthy });
    const res = await app.request('/health');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('{"status":"unhealthy","error":"database unavailable"}');
  });

  it('HTTP-02 HEAD on a GET route runs it and drops the body', async () => {
    const app = createHttpApp({ health: healthy });
    const res = await app.request('/health', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('x-protocol-version')).toBe('1');
  });
});

describe('HTTP-05/HTTP-06 bearer layer', () => {
  it('HTTP-06 api_routes_require_authorization_header (protected route, no token → 401)', async () => {
    const res = await withAuth().request('/api/v1/federation/trusted');
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"error":"missing authorization"}');
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('HTTP-06 api_routes_reject_invalid_authorization_token', async () => {
    const res = await withAuth().request('/api/v1/federation/trusted', { headers: bearer('invalid-token') });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid token' });
  });

  it('HTTP-01 an unknown path is an empty 404 before auth, with or without a token', async () => {
    for (const headers of [{}, bearer('valid-token'), bearer('invalid-token')]) {
      const res = await withAuth().request('/api/v1/invitations', { headers });
      expect([res.status, await res.text()]).toEqual([404, '']);
      expect(res.headers.get('x-protocol-version')).toBe('1');
    }
  });

  it('HTTP-06 every validator outcome has its message', async () => {
    const app = withAuth();
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ Authorization: 'Basic abc' }, 401, 'invalid authorization header format'],
      [{ Authorization: 'bearer valid-token' }, 401, 'invalid authorization header format'],
      [{ Authorization: 'Bearer' }, 401, 'invalid authorization header format'],
      [{ Authorization: 'Bearer é' }, 401, 'invalid authorization header format'],
      // Header values lose trailing whitespace in transit (fetch and Node alike): `Bearer ` is `Bearer`.
      [{ Authorization: 'Bearer ' }, 401, 'invalid authorization header format'],
      [bearer('expired-token'), 401, 'token has expired'],
      [bearer('foreign-token'), 401, 'untrusted token issuer'],
      [bearer('broken-validator'), 401, 'invalid token'],
      // The token is everything after the prefix, untrimmed.
      [{ Authorization: 'Bearer  valid-token' }, 401, 'invalid token'],
    ];
    for (const [headers, status, message] of cases) {
      const res = await app.request('/api/v1/federation/trusted', { headers });
      expect([res.status, await res.json()]).toEqual([status, { error: message }]);
    }
  });

  it('HTTP-06 an empty token after the prefix is a missing token', async () => {
    const outcome = await authenticateBearer(new StubValidator(), 'Bearer ', undefined);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(await outcome.response.json()).toEqual({ error: 'missing authorization token' });
  });

  it('HTTP-06 without a validator every protected path answers 500', async () => {
    const app = createHttpApp({ health: healthy });
    const res = await app.request('/api/v1/federation/trusted', { headers: bearer('valid-token') });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'auth validator is not configured' });
    expect((await app.request('/health')).status).toBe(200);
  });

  it('HTTP-05 public paths are exact: a trailing slash or a prefix is another (unknown) path', async () => {
    const app = withAuth();
    for (const path of ['/health/', '/health/x', '/.well-known/jwks.json/', '/api/v1/ws/']) {
      expect((await app.request(path)).status).toBe(404);
    }
    expect((await app.request('/health?probe=1')).status).toBe(200);
  });

  it('HTTP-02 a protected route with the wrong method: 401 without a token, 405 with one', async () => {
    const app = withAuth();
    expect((await app.request('/api/v1/federation/trusted', { method: 'PUT' })).status).toBe(401);
    const res = await app.request('/api/v1/federation/trusted', {
      method: 'PUT',
      headers: bearer('valid-token'),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.text()).toBe('');
  });

  it('HTTP-02 a public route with the wrong method is 405 directly', async () => {
    const res = await withAuth().request('/health', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('HTTP-07 X-UCAN bound', () => {
  it('HTTP-07 auth_middleware_rejects_oversized_ucan_header (65,537 bytes → 401)', async () => {
    const res = await withAuth().request('/api/v1/federation/trusted', {
      headers: bearer('valid-token', { 'X-UCAN': 'a'.repeat(MAX_UCAN_HEADER_BYTES + 1) }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ error: 'X-UCAN header too large' });
  });

  it('HTTP-07 exactly 65,536 bytes pass; the token error wins over the size; public paths are not checked', async () => {
    const app = withAuth();
    const exact = await app.request('/api/v1/federation/trusted', {
      headers: bearer('valid-token', { 'X-UCAN': 'a'.repeat(MAX_UCAN_HEADER_BYTES) }),
    });
    expect(exact.status).toBe(404);
    const big = 'a'.repeat(MAX_UCAN_HEADER_BYTES + 1);
    const invalid = await app.request('/api/v1/federation/trusted', {
      headers: bearer('nope', { 'X-UCAN': big }),
    });
    expect(await invalid.json()).toEqual({ error: 'invalid token' });
    expect((await app.request('/health', { headers: { 'X-UCAN': big } })).status).toBe(200);
  });
});

describe('HTTP-10 JWKS', () => {
  it('HTTP-10 federation_jwks_route_is_public (empty set, exact Cache-Control)', async () => {
    const res = await withAuth().request('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600, stale-while-revalidate=86400');
    expect(await res.text()).toBe('{"keys":[]}');
  });

  it('HTTP-10 serves the keys it was built with', async () => {
    const key = {
      kid: 'https://sync.example.com/.well-known/jwks.json#fed-a',
      kty: 'OKP',
      alg: 'EdDSA',
      use: 'federation',
      crv: 'Ed25519',
      x: 'AAAA',
    } as const;
    const res = await createHttpApp({ health: healthy, federationJwks: [key] }).request(
      '/.well-known/jwks.json',
    );
    expect(await res.json()).toEqual({ keys: [key] });
  });

  it('FED-HTTP-01 asks a key source on every request; a source that fails answers 503, not 500', async () => {
    const key = {
      kid: 'https://sync.example.com/.well-known/jwks.json#fed-b',
      kty: 'OKP',
      alg: 'EdDSA',
      use: 'federation',
      crv: 'Ed25519',
      x: 'BBBB',
    } as const;
    let current: (typeof key)[] = [];
    let broken = false;
    const app = createHttpApp({
      health: healthy,
      federationJwks: async () => {
        if (broken) throw new Error('database down');
        return current;
      },
    });
    expect(await (await app.request('/.well-known/jwks.json')).json()).toEqual({ keys: [] });
    current = [key];
    const res = await app.request('/.well-known/jwks.json');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600, stale-while-revalidate=86400');
    expect(await res.json()).toEqual({ keys: [key] });
    broken = true;
    const failed = await app.request('/.well-known/jwks.json');
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ error: 'federation keys unavailable' });
  });
});

describe('HTTP-13 WebSocket paths over plain HTTP', () => {
  it('HTTP-13 a GET without an upgrade is a failed handshake (400 text); other methods 405', async () => {
    const app = withAuth();
    for (const path of ['/api/v1/ws', '/api/v1/federation/ws']) {
      const res = await app.request(path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect((await app.request(path, { method: 'PUT' })).status).toBe(405);
    }
  });
});

describe('HTTP-01 extra routes from the composition root', () => {
  it('public extra routes skip auth, private ones require it, and get the request info', async () => {
    const seen: Array<string | undefined> = [];
    const app = withAuth({
      newRequestId: () => 'req-1',
      extraRoutes: [
        {
          path: '/open',
          public: true,
          methods: {
            GET: (_req, info) => {
              seen.push(info.requestId, info.remoteAddress);
              return new Response('open');
            },
          },
        },
        { path: '/closed', public: false, methods: { POST: () => new Response('closed') } },
      ],
    });
    const open = await app.request('/open');
    expect([open.status, await open.text()]).toEqual([200, 'open']);
    expect(seen).toEqual(['req-1', undefined]);
    expect((await app.request('/closed', { method: 'POST' })).status).toBe(401);
    const closed = await app.request('/closed', { method: 'POST', headers: bearer('valid-token') });
    expect(await closed.text()).toBe('closed');
    const wrong = await app.request('/closed', { headers: bearer('valid-token') });
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('a throwing handler becomes a 500 with the common headers, logged', async () => {
    const errors: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (_f: Record<string, unknown>, m: string) => errors.push(m),
      child: () => logger,
    };
    const app = withAuth({
      logger,
      extraRoutes: [
        {
          path: '/boom',
          public: true,
          methods: {
            GET: () => {
              throw new Error('boom');
            },
          },
        },
      ],
    });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    expect(res.headers.get('x-protocol-version')).toBe('1');
    expect(errors).toEqual(['unhandled error in HTTP handler', 'request failed']);
  });

  it('metrics see the route pattern, method and status of every response', async () => {
    const seen: Array<[string, string, number]> = [];
    const app = withAuth({
      metrics: { observeHttp: (route, method, status) => seen.push([route, method, status]) },
    });
    await app.request('/health');
    await app.request('/api/v1/federation/status/x.example', { headers: bearer('valid-token') });
    await app.request('/nope', { headers: bearer('valid-token') });
    expect(seen).toEqual([
      ['/health', 'GET', 200],
      ['/api/v1/federation/status/:domain', 'GET', 404],
      ['unmatched', 'GET', 404],
    ]);
  });
});

describe('HTTP-16 request ids and access log', () => {
  it('HTTP-16 an acceptable incoming X-Request-Id is used and echoed; a bad one is replaced', async () => {
    let n = 0;
    const app = withAuth({ newRequestId: () => `gen-${++n}` });
    const kept = await app.request('/health', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await app.request('/health', { headers: { 'X-Request-Id': 'has space' } });
    expect(replaced.headers.get('x-request-id')).toBe('gen-1');
    const preflight = await app.request('/nope', { method: 'OPTIONS' });
    expect(preflight.headers.get('x-request-id')).toBe('gen-2');
    const long = await app.request('/health', { headers: { 'X-Request-Id': 'x'.repeat(129) } });
    expect(long.headers.get('x-request-id')).toBe('gen-3');
  });

  it('HTTP-16 one info line per request: method, path, status, duration, request id and user pseudonym', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const make = (bindings: Record<string, unknown>) => ({
      debug: () => {},
      info: (fields: Record<string, unknown>, message: string) =>
        lines.push({ ...bindings, ...fields, message }),
      warn: () => {},
      error: () => {},
      child: (more: Record<string, unknown>) => make({ ...bindings, ...more }),
    });
    const app = withAuth({ logger: make({}), userPseudonym: (auth) => `u:${auth.userId}` });
    await app.request('/api/v1/federation/status/x.example?q=1', {
      headers: { ...bearer('valid-token'), 'X-Request-Id': 'rid-1' },
    });
    await app.request('/nope');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      message: 'request',
      req_id: 'rid-1',
      method: 'GET',
      path: '/api/v1/federation/status/x.example',
      status: 404,
      user: expect.stringMatching(/^u:/),
    });
    expect(typeof lines[0]?.ms).toBe('number');
    expect(lines[1]).toMatchObject({ path: '/nope', status: 404 });
    expect(lines[1]).not.toHaveProperty('user');
  });
});
