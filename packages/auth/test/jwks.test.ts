import { afterEach, describe, expect, it } from 'vitest';
import { JwksClient, type JwksClientOptions, JwksError, MAX_JWKS_SIZE, parseJwk } from '../src/index.js';
import { type JwksTestServer, jsonHandler, startJwksServer } from './helpers/jwks-server.js';
import { testSigner } from './helpers/jwt-keys.js';

const servers: JwksTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(keys: readonly object[] = []): Promise<JwksTestServer> {
  const started = await startJwksServer(jsonHandler({ keys }));
  servers.push(started);
  return started;
}

function errorOf(fn: () => unknown): JwksError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(JwksError);
    return error as JwksError;
  }
  throw new Error('expected a JwksError');
}

async function rejectionOf(promise: Promise<unknown>): Promise<JwksError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JwksError);
    return error as JwksError;
  }
  throw new Error('expected a JwksError');
}

const ONES = Buffer.alloc(32, 1).toString('base64url');
const ec = (extra: Record<string, unknown>) => ({
  kty: 'EC',
  crv: 'P-256',
  x: 'test',
  y: 'test',
  kid: 'test',
  alg: 'ES256',
  use: 'sig',
  ...extra,
});

describe('parseJwk', () => {
  it('JWKS-02 JWKS-06 parse_jwk_invalid_key_type', () => {
    expect(errorOf(() => parseJwk(ec({ kty: 'RSA' }))).kind).toBe('InvalidKey');
    expect(errorOf(() => parseJwk(ec({ kty: 'oct' }))).message).toBe('unsupported key type: oct');
    expect(errorOf(() => parseJwk(ec({ kty: 'ec' }))).kind).toBe('UnsupportedKeyType');
  });

  it('JWKS-02 parse_jwk_invalid_curve', () => {
    expect(errorOf(() => parseJwk(ec({ crv: 'P-521' }))).kind).toBe('UnsupportedCurve');
    expect(errorOf(() => parseJwk(ec({ crv: 'P-384' }))).kind).toBe('CoordinateTooShort');
    expect(errorOf(() => parseJwk({ kty: 'OKP', crv: 'X25519', x: ONES, kid: 'k' })).kind).toBe(
      'UnsupportedCurve',
    );
  });

  it('JWKS-02 ENC-01 parse_jwk_invalid_base64', () => {
    expect(errorOf(() => parseJwk(ec({ x: '!!!invalid-base64!!!' }))).kind).toBe('InvalidXCoordinate');
    expect(errorOf(() => parseJwk(ec({ x: ONES, y: '!!!invalid-base64!!!' }))).kind).toBe(
      'InvalidYCoordinate',
    );
    expect(errorOf(() => parseJwk(ec({ x: `${ONES}=`, y: ONES }))).kind).toBe('InvalidXCoordinate');
    expect(errorOf(() => parseJwk(ec({ x: 5, y: ONES }))).kind).toBe('InvalidXCoordinate');
  });

  it('JWKS-02 parse_jwk_point_not_on_curve', () => {
    const error = errorOf(() => parseJwk(ec({ x: ONES, y: ONES })));
    expect(error.kind).toBe('PointNotOnCurve');
    expect(error.message).toContain('not on curve');
  });

  it('JWKS-02 coordinate length must be exact (too large / too short)', () => {
    const long = Buffer.alloc(33, 1).toString('base64url');
    const short = Buffer.alloc(31, 1).toString('base64url');
    expect(errorOf(() => parseJwk(ec({ x: long, y: ONES }))).kind).toBe('CoordinateTooLarge');
    expect(errorOf(() => parseJwk(ec({ x: ONES, y: short }))).kind).toBe('CoordinateTooShort');
    expect(errorOf(() => parseJwk({ kty: 'OKP', crv: 'Ed25519', x: short, kid: 'k' })).kind).toBe(
      'CoordinateTooShort',
    );
  });

  it('R13 parses EC P-256/P-384, Ed25519 and RSA keys with their algorithms', () => {
    expect(parseJwk(testSigner('a', 'ES256').jwk).algorithms).toEqual(['ES256']);
    expect(parseJwk(testSigner('b', 'ES384').jwk).algorithms).toEqual(['ES384']);
    expect(parseJwk(testSigner('c', 'EdDSA').jwk).algorithms).toEqual(['EdDSA']);
    const { alg: _alg, use: _use, ...rsa } = testSigner('d', 'RS256').jwk;
    expect(parseJwk(rsa).algorithms).toEqual(['RS256', 'PS256']);
    expect(parseJwk(rsa, ['PS256']).algorithms).toEqual(['PS256']);
    expect(parseJwk({ ...rsa, alg: 'PS256', key_ops: ['verify'] }).algorithms).toEqual(['PS256']);
    expect(parseJwk(rsa).kid).toBe('d');
  });

  it('R13 unusable keys say why: alg, use, key_ops, kid, weak RSA, bad Ed25519, not an object', () => {
    const good = testSigner('a').jwk;
    expect(errorOf(() => parseJwk({ ...good, alg: 'RS256' })).kind).toBe('UnsupportedAlgorithm');
    expect(errorOf(() => parseJwk({ ...good, alg: 'HS256' })).kind).toBe('UnsupportedAlgorithm');
    expect(errorOf(() => parseJwk(good, ['RS256'])).kind).toBe('UnsupportedAlgorithm');
    expect(errorOf(() => parseJwk({ ...good, alg: undefined }, ['RS256'])).kind).toBe('UnsupportedAlgorithm');
    expect(errorOf(() => parseJwk({ ...good, use: 'enc' })).kind).toBe('UnsupportedUse');
    expect(errorOf(() => parseJwk({ ...good, key_ops: ['sign'] })).kind).toBe('UnsupportedUse');
    expect(errorOf(() => parseJwk({ ...good, kid: undefined })).kind).toBe('MissingKid');
    const { n: _n, ...rsa } = testSigner('r', 'RS256').jwk;
    expect(errorOf(() => parseJwk({ ...rsa, n: Buffer.alloc(128, 0xff).toString('base64url') })).kind).toBe(
      'WeakKey',
    );
    expect(errorOf(() => parseJwk({ ...rsa, n: 5 })).kind).toBe('InvalidKey');
    expect(errorOf(() => parseJwk({ ...rsa, n: 'a+b' })).kind).toBe('InvalidKey');
    const n = Buffer.alloc(256, 0xff).toString('base64url');
    for (const e of ['', 'AA', 'Ag', 'AQAA']) {
      expect(errorOf(() => parseJwk({ ...rsa, n, e })).kind, e).toBe('InvalidKey');
    }
    expect(errorOf(() => parseJwk({ kty: 'OKP', crv: 'Ed25519', x: 5, kid: 'k' })).kind).toBe(
      'InvalidXCoordinate',
    );
    const notAPoint = Buffer.alloc(32, 0xff).toString('base64url');
    expect(errorOf(() => parseJwk({ kty: 'OKP', crv: 'Ed25519', x: notAPoint, kid: 'k' })).kind).toBe(
      'InvalidKey',
    );
    expect(errorOf(() => parseJwk(null)).kind).toBe('InvalidKey');
    expect(errorOf(() => parseJwk([good])).kind).toBe('InvalidKey');
  });
});

describe('JwksClient against a real HTTP server', () => {
  function client(url: string, extra: Partial<JwksClientOptions> = {}) {
    let now = 1_000_000;
    const instance = new JwksClient({ url, now: () => now, ...extra });
    return { instance, advance: (ms: number) => (now += ms) };
  }

  it('JWKS-01 JWKS-04 serves cached keys without I/O while fresh; duplicate kids: the later wins', async () => {
    const first = testSigner('dup');
    const second = testSigner('dup');
    const jwks = await server([first.jwk, second.jwk]);
    const { instance, advance } = client(jwks.url, { refreshTtlMs: 60_000 });
    const key = await instance.getKey('dup');
    expect(key.key.export({ format: 'jwk' }).x).toBe(second.jwk.x);
    advance(60_000);
    await instance.getKey('dup');
    expect(jwks.calls).toBe(1);
    advance(1);
    await instance.getKey('dup');
    expect(jwks.calls).toBe(2);
  });

  it('JWKS-04 rotation: a new kid is fetched; keys missing from the new set disappear', async () => {
    const old = testSigner('old');
    const fresh = testSigner('new');
    const jwks = await server([old.jwk]);
    const { instance, advance } = client(jwks.url);
    await instance.getKey('old');
    jwks.serveKeys([fresh.jwk]);
    advance(30_000);
    expect((await instance.getKey('new')).kid).toBe('new');
    expect((await rejectionOf(instance.getKey('old'))).kind).toBe('KeyNotFound');
    expect(jwks.calls).toBe(2);
  });

  it('R13 JWKS-04 an unknown kid triggers at most one refetch per 30 s', async () => {
    const jwks = await server([testSigner('known').jwk]);
    const { instance, advance } = client(jwks.url);
    await instance.getKey('known');
    for (let i = 0; i < 20; i++) {
      const error = await rejectionOf(instance.getKey(`unknown-${i}`));
      expect(error.kind).toBe('KeyNotFound');
      expect(error.message).toBe(`key "unknown-${i}" not found in JWKS`);
    }
    expect(jwks.calls).toBe(1);
    advance(29_999);
    await rejectionOf(instance.getKey('unknown'));
    expect(jwks.calls).toBe(1);
    advance(1);
    await rejectionOf(instance.getKey('unknown'));
    await rejectionOf(instance.getKey('unknown'));
    expect(jwks.calls).toBe(2);
    expect(instance.fetchCount).toBe(2);
  });

  it('JWKS-04 outage: stale keys keep being served, and a failed endpoint is retried once per cooldown', async () => {
    const key = testSigner('k');
    const jwks = await server([key.jwk]);
    const { instance, advance } = client(jwks.url, { refreshTtlMs: 1_000 });
    await instance.getKey('k');
    jwks.handle(jsonHandler('down', 503));
    advance(1_001);
    expect((await instance.getKey('k')).kid).toBe('k');
    expect(jwks.calls).toBe(2);
    for (let i = 0; i < 5; i++) await instance.getKey('k');
    expect((await rejectionOf(instance.getKey('other'))).kind).toBe('Status');
    expect(jwks.calls).toBe(2);
    advance(30_000);
    await instance.getKey('k');
    expect(jwks.calls).toBe(3);
    jwks.serveKeys([key.jwk]);
    advance(30_000);
    await instance.getKey('k');
    expect(jwks.calls).toBe(4);
    advance(500);
    await instance.getKey('k');
    expect(jwks.calls).toBe(4);
  });

  it('JWKS-04 concurrent callers share one in-flight fetch', async () => {
    const key = testSigner('k');
    const jwks = await startJwksServer((request, response, call) => {
      setTimeout(() => jsonHandler({ keys: [key.jwk] })(request, response, call), 50);
    });
    servers.push(jwks);
    const { instance } = client(jwks.url);
    const keys = await Promise.all(Array.from({ length: 10 }, () => instance.getKey('k')));
    expect(keys.every((k) => k === keys[0])).toBe(true);
    const misses = await Promise.allSettled(Array.from({ length: 5 }, () => instance.getKey('missing')));
    expect(misses.every((result) => result.status === 'rejected')).toBe(true);
    expect(jwks.calls).toBe(1);
  });

  it('JWKS-03 status must be exactly 200', async () => {
    for (const status of [201, 204, 301, 404, 500]) {
      const jwks = await startJwksServer(jsonHandler({ keys: [] }, status));
      servers.push(jwks);
      const error = await rejectionOf(client(jwks.url).instance.getKey('k'));
      expect(error.kind, String(status)).toBe('Status');
      expect(error.detail).toBe(String(status));
    }
    const jwks = await startJwksServer(jsonHandler({ keys: [] }, 500));
    servers.push(jwks);
    expect((await rejectionOf(client(jwks.url).instance.getKey('k'))).message).toBe(
      'JWKS endpoint returned status 500',
    );
  });

  it('JWKS-03 redirects are followed', async () => {
    const key = testSigner('k');
    const target = await server([key.jwk]);
    const jwks = await startJwksServer((_request, response) => {
      response.writeHead(302, { location: target.url });
      response.end();
    });
    servers.push(jwks);
    expect((await client(jwks.url).instance.getKey('k')).kid).toBe('k');
  });

  it('JWKS-03 bodies over the limit are refused whether or not a length is declared; exactly the limit is fine', async () => {
    const key = testSigner('k');
    const body = JSON.stringify({ keys: [key.jwk] });
    const padded = (size: number) => body.slice(0, -1) + ' '.repeat(size - body.length) + body.slice(-1);
    const jwks = await startJwksServer(jsonHandler(padded(MAX_JWKS_SIZE)));
    servers.push(jwks);
    expect((await client(jwks.url).instance.getKey('k')).kid).toBe('k');

    jwks.handle(jsonHandler(padded(MAX_JWKS_SIZE + 1)));
    const declared = await rejectionOf(client(jwks.url).instance.getKey('k'));
    expect(declared.kind).toBe('PayloadTooLarge');

    let written = 0;
    jwks.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < 8 * MAX_JWKS_SIZE) {
          written += chunk.byteLength;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.on('error', () => undefined);
      pump();
    });
    const streamed = await rejectionOf(client(jwks.url).instance.getKey('k'));
    expect(streamed.kind).toBe('PayloadTooLarge');
    expect(written).toBeLessThan(8 * MAX_JWKS_SIZE);

    jwks.handle((_request, response) => {
      response.writeHead(200, { 'content-length': String(MAX_JWKS_SIZE + 1) });
      response.end('{');
    });
    const early = await rejectionOf(client(jwks.url).instance.getKey('k'));
    expect([early.kind, early.detail]).toEqual(['PayloadTooLarge', String(MAX_JWKS_SIZE + 1)]);

    const small = client(jwks.url, { maxBytes: 10 }).instance;
    jwks.handle(jsonHandler(body));
    expect((await rejectionOf(small.getKey('k'))).kind).toBe('PayloadTooLarge');
  });

  it('JWKS-03 a slow server hits the fetch timeout (headers or body)', async () => {
    const jwks = await startJwksServer(() => {
      // never answers
    });
    servers.push(jwks);
    const started = Date.now();
    const error = await rejectionOf(client(jwks.url, { fetchTimeoutMs: 200 }).instance.getKey('k'));
    expect(error.kind).toBe('Fetch');
    expect(Date.now() - started).toBeLessThan(5_000);
    jwks.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"keys":[');
    });
    expect((await rejectionOf(client(jwks.url, { fetchTimeoutMs: 200 }).instance.getKey('k'))).kind).toBe(
      'Fetch',
    );
  });

  it('JWKS-03 an unreachable endpoint is a Fetch error', async () => {
    const jwks = await server();
    const url = jwks.url;
    await jwks.close();
    servers.pop();
    expect((await rejectionOf(client(url).instance.getKey('k'))).kind).toBe('Fetch');
  });

  it('JWKS-01 a malformed document is a Decode error and replaces nothing', async () => {
    const key = testSigner('k');
    const jwks = await server([key.jwk]);
    const { instance, advance } = client(jwks.url, { refreshTtlMs: 10, refetchCooldownMs: 0 });
    await instance.getKey('k');
    for (const body of ['not json', '[]', '{"keys":{}}', '{}', 'null']) {
      jwks.handle(jsonHandler(body));
      advance(11);
      expect((await instance.getKey('k')).kid, body).toBe('k');
      expect((await rejectionOf(instance.getKey('other'))).kind, body).toBe('Decode');
    }
    jwks.handle((_request, response) => {
      response.writeHead(200);
      response.end(Buffer.from([0x7b, 0xff, 0x7d]));
    });
    advance(11);
    expect((await rejectionOf(instance.getKey('other'))).kind).toBe('Decode');
  });

  it('JWKS-05 an injected fetch is used (custom TLS, proxies, tests)', async () => {
    const key = testSigner('k');
    const seen: string[] = [];
    const instance = new JwksClient({
      url: 'https://idp.invalid/jwks',
      fetch: async (url) => {
        seen.push(url);
        return new Response(JSON.stringify({ keys: [key.jwk] }), { status: 200 });
      },
    });
    expect((await instance.getKey('k')).kid).toBe('k');
    expect(seen).toEqual(['https://idp.invalid/jwks']);
    const failing = new JwksClient({ url: 'x', fetch: () => Promise.reject(new Error('boom')) });
    expect((await rejectionOf(failing.getKey('k'))).message).toContain('boom');
    const odd = new JwksClient({ url: 'x', fetch: () => Promise.reject('plain text') });
    expect((await rejectionOf(odd.getKey('k'))).message).toBe('failed to fetch JWKS: plain text');
    const bodiless = new JwksClient({ url: 'x', fetch: async () => new Response(null, { status: 200 }) });
    expect((await rejectionOf(bodiless.getKey('k'))).kind).toBe('Decode');
    const throwing = new JwksClient({
      url: 'x',
      fetch: async () =>
        new Response(
          new ReadableStream({
            pull() {
              throw new Error('stream broke');
            },
          }),
          { status: 200 },
        ),
    });
    expect((await rejectionOf(throwing.getKey('k'))).kind).toBe('Fetch');
  });
});
