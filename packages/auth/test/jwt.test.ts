import { createHmac, generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuthError,
  type JwtAlgorithm,
  JwtValidationError,
  JwtValidator,
  type JwtValidatorConfig,
  normalizeIssuer,
} from '../src/index.js';
import { verifyJws } from '../src/jws/verify.js';
import { type JwksTestServer, jsonHandler, startJwksServer } from './helpers/jwks-server.js';
import { nowSeconds, signRaw, testClaims, testSigner } from './helpers/jwt-keys.js';

const ISSUER = 'https://accounts.example.com';
const servers: JwksTestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(keys: readonly unknown[]): Promise<JwksTestServer> {
  const server = await startJwksServer(jsonHandler({ keys }));
  servers.push(server);
  return server;
}

function validator(url: string, extra: Partial<JwtValidatorConfig> = {}): JwtValidator {
  return new JwtValidator({ issuers: [{ issuer: ISSUER, jwksUrl: url }], ...extra });
}

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JwtValidationError);
    expect(error).toBeInstanceOf(AuthError);
    return (error as JwtValidationError).kind;
  }
  return 'ok';
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JwtValidator (reference scenarios)', () => {
  it('JWT-03 JWT-04 JWT-08 JWS-02 validate_token_valid', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const exp = nowSeconds() + 3600;
    const token = await key.sign(testClaims(ISSUER, 'user-123', 'test-client-id', exp));
    const info = await validator(server.url).validate(token);
    expect(info).toEqual({
      issuer: ISSUER,
      userId: 'user-123',
      clientId: 'test-client-id',
      scope: '',
      jti: '',
      personalSpaceId: '',
      did: '',
      mailboxId: '',
      expiresAt: exp,
    });
  });

  it('JWT-05 JWT-10 validate_token_expired', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const token = await key.sign(testClaims(ISSUER, 'user-123', 'test-client-id', nowSeconds() - 3600));
    expect(await kindOf(validator(server.url).validate(token))).toBe('ExpiredToken');
  });

  it('JWT-06 JWT-10 validate_token_untrusted_issuer: no JWKS fetch happens', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const token = await key.sign(testClaims('https://evil.example.com', 'user-123', 'test-client-id'));
    expect(await kindOf(validator(server.url).validate(token))).toBe('UntrustedIssuer');
    expect(server.calls).toBe(0);
  });

  it('JWT-03 JWT-10 validate_token_missing_token: empty string, JWKS never contacted', async () => {
    const fetch = vi.fn();
    const v = validator('http://localhost:9999', { fetch });
    expect(await kindOf(v.validate(''))).toBe('MissingToken');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('JWT-07 validate_token_invalid_audience', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const token = await key.sign({
      ...testClaims(ISSUER, 'user-123', 'test-client-id'),
      aud: ['other-service'],
    });
    expect(await kindOf(validator(server.url, { audiences: ['betterbase-sync'] }).validate(token))).toBe(
      'InvalidToken',
    );
  });

  it('JWT-07 validate_token_valid_audience; missing, null and empty aud fail when audiences are set', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const v = validator(server.url, { audiences: ['betterbase-sync', 'other-allowed'] });
    const claims = testClaims(ISSUER, 'user-123', 'test-client-id');
    expect((await v.validate(await key.sign({ ...claims, aud: 'betterbase-sync' }))).userId).toBe('user-123');
    expect(await kindOf(v.validate(await key.sign({ ...claims, aud: ['x', 'other-allowed'] })))).toBe('ok');
    for (const aud of [null, [], 'Betterbase-Sync']) {
      expect(await kindOf(v.validate(await key.sign({ ...claims, aud }))), JSON.stringify(aud)).toBe(
        'InvalidToken',
      );
    }
    // Without configured audiences aud is not compared, but must still be well-typed.
    expect(await kindOf(validator(server.url).validate(await key.sign({ ...claims, aud: 'anything' })))).toBe(
      'ok',
    );
    expect(await kindOf(validator(server.url).validate(await key.sign({ ...claims, aud: 5 })))).toBe(
      'InvalidToken',
    );
  });

  it('JWKS-01 validate_token_key_rotation: two keys in one document', async () => {
    const key1 = testSigner('key-1');
    const key2 = testSigner('key-2');
    const server = await serve([key1.jwk, key2.jwk]);
    const v = validator(server.url, { jwks: { refreshTtlMs: 60_000 } });
    expect((await v.validate(await key1.sign(testClaims(ISSUER, 'user-1', 'test-client-id')))).userId).toBe(
      'user-1',
    );
    expect((await v.validate(await key2.sign(testClaims(ISSUER, 'user-2', 'test-client-id')))).userId).toBe(
      'user-2',
    );
    expect(server.calls).toBe(1);
  });

  it('JWT-08 validate_token_missing_subject; an empty client_id fails too', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const v = validator(server.url);
    expect(await kindOf(v.validate(await key.sign(testClaims(ISSUER, '', 'test-client-id'))))).toBe(
      'InvalidToken',
    );
    expect(await kindOf(v.validate(await key.sign(testClaims(ISSUER, 'user-123', ''))))).toBe('InvalidToken');
  });

  it('JWKS-04 validate_token_unknown_key', async () => {
    const server = await serve([testSigner('key-1').jwk]);
    const token = await testSigner('key-unknown').sign(testClaims(ISSUER, 'user-123', 'test-client-id'));
    expect(await kindOf(validator(server.url).validate(token))).toBe('InvalidToken');
  });

  it('JWS-01 R13 validate_token_wrong_algorithm: HS256 signed with "secret" is refused', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const input = `${b64({ typ: 'JWT', alg: 'HS256', kid: 'test-key-1' })}.${b64(testClaims(ISSUER, 'user-123', 'c'))}`;
    const token = `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
    expect(await kindOf(validator(server.url).validate(token))).toBe('InvalidToken');
    expect(server.calls).toBe(0);
  });

  it('JWT-03 validate_token_missing_kid', async () => {
    const key = testSigner('test-key-1');
    const server = await serve([key.jwk]);
    const token = await signRaw(
      JSON.stringify(testClaims(ISSUER, 'u', 'c')),
      { alg: 'ES256', typ: 'JWT' },
      key.privateKey,
    );
    expect(await kindOf(validator(server.url).validate(token))).toBe('InvalidToken');
  });

  it('JWKS-03 jwks_server_error: a 500 from the JWKS endpoint makes the token invalid', async () => {
    const server = await startJwksServer(jsonHandler('oops', 500));
    servers.push(server);
    const token =
      'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InRlc3QifQ.eyJzdWIiOiJ1c2VyIiwiaXNzIjoiaHR0cHM6Ly9hY2NvdW50cy5leGFtcGxlLmNvbSJ9.sig';
    expect(await kindOf(validator(server.url).validate(token))).toBe('InvalidToken');
    expect(server.calls).toBe(1);
  });

  it('JWKS-04 jwks_cache_fallback_on_error: cached keys keep working while the endpoint fails', async () => {
    const key = testSigner('test-key-1');
    const server = await startJwksServer((request, response, call) =>
      call === 1
        ? jsonHandler({ keys: [key.jwk] })(request, response, call)
        : jsonHandler('down', 500)(request, response, call),
    );
    servers.push(server);
    let now = Date.now();
    const v = validator(server.url, {
      jwks: { refreshTtlMs: 10, refetchCooldownMs: 0 },
      verificationCache: false,
      now: () => now,
    });
    const token = await key.sign(testClaims(ISSUER, 'user-123', 'test-client-id'));
    expect((await v.validate(token)).userId).toBe('user-123');
    now += 20;
    expect((await v.validate(token)).userId).toBe('user-123');
    expect(server.calls).toBe(2);
  });

  it('JWT-01 JWT-06 JWT-08 validate_token_multiple_issuers: raw iss is reported', async () => {
    const keyA = testSigner('key-issuer-a');
    const keyB = testSigner('key-issuer-b');
    const [serverA, serverB] = [await serve([keyA.jwk]), await serve([keyB.jwk])];
    const v = new JwtValidator({
      issuers: [
        { issuer: 'https://issuer-a.example.com', jwksUrl: serverA.url },
        { issuer: 'https://issuer-b.example.com/', jwksUrl: serverB.url },
      ],
    });
    const infoA = await v.validate(
      await keyA.sign(testClaims('https://issuer-a.example.com', 'user-from-a', 'client-a')),
    );
    expect([infoA.userId, infoA.issuer]).toEqual(['user-from-a', 'https://issuer-a.example.com']);
    const infoB = await v.validate(
      await keyB.sign(testClaims('https://issuer-b.example.com//', 'user-from-b', 'client-b')),
    );
    expect([infoB.userId, infoB.issuer]).toEqual(['user-from-b', 'https://issuer-b.example.com//']);
    expect(v.issuers.sort()).toEqual(['https://issuer-a.example.com', 'https://issuer-b.example.com']);
  });

  it('JWT-06 validate_token_cross_issuer_key_confusion', async () => {
    const keyA = testSigner('key-a');
    const keyB = testSigner('key-b');
    const [serverA, serverB] = [await serve([keyA.jwk]), await serve([keyB.jwk])];
    const v = new JwtValidator({
      issuers: [
        { issuer: 'https://issuer-a.example.com', jwksUrl: serverA.url },
        { issuer: 'https://issuer-b.example.com', jwksUrl: serverB.url },
      ],
    });
    const token = await keyB.sign(testClaims('https://issuer-a.example.com', 'user-x', 'client-x'));
    expect(await kindOf(v.validate(token))).toBe('InvalidToken');
    expect(serverB.calls).toBe(0);
  });
});

describe('JwtValidator (R13 algorithms)', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as JwtAlgorithm[])('R13 accepts %s', async (alg) => {
    const key = testSigner(`k-${alg}`, alg);
    const server = await serve([key.jwk]);
    expect((await validator(server.url).validate(await key.sign(testClaims(ISSUER, 'u', 'c')))).userId).toBe(
      'u',
    );
  });

  it('R13 refuses none, HMAC and algorithms outside the configured set', async () => {
    const key = testSigner('k', 'RS256');
    const server = await serve([key.jwk]);
    const claims = b64(testClaims(ISSUER, 'u', 'c'));
    const none = `${b64({ alg: 'none', kid: 'k' })}.${claims}.`;
    expect(await kindOf(validator(server.url).validate(none))).toBe('InvalidToken');
    for (const alg of ['HS256', 'HS384', 'HS512', 'RS384', 'PS512']) {
      const input = `${b64({ alg, kid: 'k' })}.${claims}`;
      const token = `${input}.${createHmac('sha256', 'k').update(input).digest('base64url')}`;
      expect(await kindOf(validator(server.url).validate(token)), alg).toBe('InvalidToken');
    }
    const rs = await key.sign(testClaims(ISSUER, 'u', 'c'));
    expect(await kindOf(validator(server.url, { algorithms: ['ES256'] }).validate(rs))).toBe('InvalidToken');
    expect(server.calls).toBe(0);
  });

  it('R13 JWS-02 verifyJws: wrong signature lengths and mismatched key types are plain failures', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(verifyJws('ES256', rsa, 'a.b', new Uint8Array(64))).toBe(false);
    expect(verifyJws('EdDSA', rsa, 'a.b', new Uint8Array(64))).toBe(false);
    expect(verifyJws('RS256', ed, 'a.b', new Uint8Array(256))).toBe(false);
    expect(verifyJws('ES256', ed, 'a.b', new Uint8Array(63))).toBe(false);
    expect(verifyJws('ES384', ed, Buffer.from('a.b'), new Uint8Array(64))).toBe(false);
  });

  it('R13 a key is only used for its own algorithm (alg confusion)', async () => {
    const rsa = testSigner('k', 'RS256');
    const server = await serve([{ ...rsa.jwk, alg: 'RS256' }]);
    const pss = await rsa.sign(testClaims(ISSUER, 'u', 'c'), { alg: 'PS256' });
    expect(await kindOf(validator(server.url).validate(pss))).toBe('InvalidToken');
    const ec = testSigner('e', 'ES256');
    const mixed = await serve([{ ...ec.jwk, kid: 'k' }]);
    const es384 = testSigner('k', 'ES384');
    expect(await kindOf(validator(mixed.url).validate(await es384.sign(testClaims(ISSUER, 'u', 'c'))))).toBe(
      'InvalidToken',
    );
  });

  it('R13 keys of unsupported types are skipped while the rest of the set works', async () => {
    const key = testSigner('good');
    const skipped: string[] = [];
    const server = await serve([
      { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
      { kty: 'EC', crv: 'P-521', x: 'AA', y: 'AA', kid: 'p521' },
      { ...key.jwk, kid: 'no-use', use: 'enc' },
      'not an object',
      key.jwk,
    ]);
    const v = validator(server.url, {
      onKeySkipped: (issuer, error) => skipped.push(`${issuer}:${error.kind}`),
    });
    expect((await v.validate(await key.sign(testClaims(ISSUER, 'u', 'c')))).userId).toBe('u');
    expect(skipped).toEqual([
      `${ISSUER}:UnsupportedKeyType`,
      `${ISSUER}:UnsupportedCurve`,
      `${ISSUER}:UnsupportedUse`,
      `${ISSUER}:InvalidKey`,
    ]);
  });
});

describe('JwtValidator (R14 time rules)', () => {
  async function setup(extra: Partial<JwtValidatorConfig> = {}) {
    const key = testSigner('k');
    const server = await serve([key.jwk]);
    let now = 1_700_000_000_000;
    const v = validator(server.url, { now: () => now, ...extra });
    return { key, v, setNow: (ms: number) => (now = ms) };
  }
  const T = 1_700_000_000;

  it('R14 exp is required unless allowNoExp', async () => {
    const { key, v } = await setup();
    const { exp: _drop, ...noExp } = testClaims(ISSUER, 'u', 'c');
    expect(await kindOf(v.validate(await key.sign(noExp)))).toBe('InvalidToken');
    expect(await kindOf(v.validate(await key.sign({ ...noExp, exp: null })))).toBe('InvalidToken');
    const lenient = await setup({ allowNoExp: true });
    const info = await lenient.v.validate(await lenient.key.sign(noExp));
    expect(info.expiresAt).toBeUndefined();
  });

  it('R14 JWT-05 ENC-03 exp with the default 60 s leeway, and with leeway 0 (reference: exp == now still valid)', async () => {
    const { key, v, setNow } = await setup();
    const token = await key.sign(testClaims(ISSUER, 'u', 'c', T));
    setNow((T + 60) * 1000 + 999);
    expect(await kindOf(v.validate(token))).toBe('ok');
    setNow((T + 61) * 1000);
    expect(await kindOf(v.validate(token))).toBe('ExpiredToken');
    const strict = await setup({ leewaySeconds: 0 });
    const strictToken = await strict.key.sign(testClaims(ISSUER, 'u', 'c', T));
    strict.setNow(T * 1000 + 999);
    expect(await kindOf(strict.v.validate(strictToken))).toBe('ok');
    strict.setNow((T + 1) * 1000);
    expect(await kindOf(strict.v.validate(strictToken))).toBe('ExpiredToken');
  });

  it('R14 nbf is honoured with leeway', async () => {
    const { key, v, setNow } = await setup();
    const token = await key.sign({ ...testClaims(ISSUER, 'u', 'c', T + 3600), nbf: T + 100 });
    setNow((T + 39) * 1000);
    expect(await kindOf(v.validate(token))).toBe('InvalidToken');
    setNow((T + 40) * 1000);
    expect(await kindOf(v.validate(token))).toBe('ok');
    expect(
      await kindOf(v.validate(await key.sign({ ...testClaims(ISSUER, 'u', 'c', T + 3600), nbf: '1' }))),
    ).toBe('InvalidToken');
  });

  it('JWT-03 precedence: bad signature beats expiry, expiry beats audience', async () => {
    const { key, v } = await setup({ audiences: ['mine'] });
    const expired = await key.sign({ ...testClaims(ISSUER, 'u', 'c', T - 3600), aud: 'other' });
    expect(await kindOf(v.validate(expired))).toBe('ExpiredToken');
    const forged = `${expired.slice(0, expired.lastIndexOf('.'))}.${Buffer.alloc(64, 7).toString('base64url')}`;
    expect(await kindOf(v.validate(forged))).toBe('InvalidToken');
  });

  it('R14 config is validated', () => {
    const issuers = [{ issuer: ISSUER, jwksUrl: 'http://127.0.0.1:1' }];
    expect(() => new JwtValidator({ issuers, leewaySeconds: -1 })).toThrow('leewaySeconds');
    expect(() => new JwtValidator({ issuers, leewaySeconds: 1.5 })).toThrow('leewaySeconds');
    expect(() => new JwtValidator({ issuers, algorithms: ['HS256' as JwtAlgorithm] })).toThrow('HS256');
    expect(() => new JwtValidator({ issuers: [{ issuer: ISSUER, jwksUrl: '' }] })).toThrow('JWKS URL');
    expect(() => new JwtValidator({ issuers, verificationCache: { maxEntries: -1 } })).toThrow(
      'verificationCache',
    );
    expect(() => new JwtValidator({ issuers, jwks: { fetchTimeoutMs: 0 } })).toThrow('fetchTimeoutMs');
    expect(() => new JwtValidator({ issuers, jwks: { refreshTtlMs: -5 } })).toThrow('refreshTtlMs');
  });
});

describe('JwtValidator (pipeline details)', () => {
  it('JWT-02 normalize_issuer strips every trailing slash and nothing else', () => {
    expect(normalizeIssuer('https://a/')).toBe('https://a');
    expect(normalizeIssuer('https://a//')).toBe('https://a');
    expect(normalizeIssuer('HTTPS://A')).toBe('HTTPS://A');
    expect(normalizeIssuer('///')).toBe('');
  });

  it('JWT-03 JWS-01 JWS-03 JWS-04 malformed tokens: InvalidToken, and iss absent or null is UntrustedIssuer', async () => {
    const key = testSigner('k');
    const server = await serve([key.jwk]);
    const v = validator(server.url);
    const header = b64({ alg: 'ES256', kid: 'k' });
    const payload = b64(testClaims(ISSUER, 'u', 'c'));
    for (const token of [
      'x',
      `${header}.${payload}`,
      `${header}.${payload}.x.y`,
      `!.${payload}.x`,
      `${header}.!.x`,
      `${header}.${b64([1])}.x`,
      `${header}.${b64({ iss: 5 })}.x`,
      `${b64({ alg: 'ES256', kid: 7 })}.${payload}.x`,
    ]) {
      expect(await kindOf(v.validate(token)), token).toBe('InvalidToken');
    }
    expect(await kindOf(v.validate(`${header}.${b64({ sub: 'u' })}.x`))).toBe('UntrustedIssuer');
    expect(await kindOf(v.validate(`${header}.${b64({ iss: null })}.x`))).toBe('UntrustedIssuer');
    expect(server.calls).toBe(0);
    // A kid of "" is a kid; typed claims are checked after the signature.
    const emptyKid = testSigner('');
    const second = await serve([emptyKid.jwk]);
    expect(
      await kindOf(validator(second.url).validate(await emptyKid.sign(testClaims(ISSUER, 'u', 'c')))),
    ).toBe('ok');
    const badType = await key.sign({ ...testClaims(ISSUER, 'u', 'c'), scope: null });
    expect(await kindOf(v.validate(badType))).toBe('InvalidToken');
    const dupSub = await signRaw(
      `{"iss":"${ISSUER}","sub":"u","sub":"v","client_id":"c","exp":${nowSeconds() + 60}}`,
      { alg: 'ES256', kid: 'k' },
      key.privateKey,
    );
    expect(await kindOf(v.validate(dupSub))).toBe('InvalidToken');
  });

  it('JWS-04 remembered headers: each token still gets its own header, past the memo bound too; refused ones stay refused', async () => {
    const [k1, k2] = [testSigner('k1'), testSigner('k2')];
    const server = await serve([k1.jwk, k2.jwk]);
    const v = validator(server.url, { verificationCache: false });
    const payload = JSON.stringify(testClaims(ISSUER, 'u', 'c', nowSeconds() + 60));
    // 80 distinct headers over two keys, each seen twice: a header answered for the wrong token would
    // name the other key, and its signature check would fail.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 80; i++) {
        const key = i % 2 === 0 ? k1 : k2;
        const token = await signRaw(
          payload,
          { alg: 'ES256', kid: key === k1 ? 'k1' : 'k2', typ: `JWT${i}` },
          key.privateKey,
        );
        expect(await kindOf(v.validate(token)), `header ${i}`).toBe('ok');
      }
    }
    const duplicated = `{"alg":"ES256","kid":"k1","kid":"k1"}`;
    const bad = `${Buffer.from(duplicated).toString('base64url')}.${b64(JSON.parse(payload))}.x`;
    expect(await kindOf(v.validate(bad))).toBe('InvalidToken');
    expect(await kindOf(v.validate(bad))).toBe('InvalidToken');
  });

  it('JWT-04 members pass through; iat and unknown members are ignored', async () => {
    const key = testSigner('k');
    const server = await serve([key.jwk]);
    const token = await key.sign({
      ...testClaims(ISSUER, 'u', 'c'),
      scope: 'sync',
      jti: 'j1',
      personal_space_id: 'p',
      did: 'did:key:zX',
      mailbox_id: 'm',
      iat: 'not a number',
      extra: { nested: true },
    });
    const context = await validator(server.url).validateToken(token);
    expect(context).toMatchObject({
      scope: 'sync',
      personalSpaceId: 'p',
      did: 'did:key:zX',
      mailboxId: 'm',
      userId: 'u',
    });
    expect(context).not.toHaveProperty('jti');
  });

  it('JWT-09 validateToken maps to AuthContext and rejects with AuthError kinds', async () => {
    const v = validator('http://127.0.0.1:9');
    await expect(v.validateToken('')).rejects.toBeInstanceOf(AuthError);
    await expect(v.validateToken('')).rejects.toMatchObject({
      kind: 'MissingToken',
      message: 'missing authorization token',
    });
  });

  it('JWT-03 the verification cache skips crypto and JWKS on repeats but still checks time', async () => {
    const key = testSigner('k');
    const server = await serve([key.jwk]);
    let now = 1_700_000_000_000;
    const v = validator(server.url, { now: () => now, leewaySeconds: 0 });
    const token = await key.sign(testClaims(ISSUER, 'u', 'c', 1_700_000_100));
    await v.validate(token);
    server.handle(jsonHandler('gone', 500));
    now += 50_000;
    expect((await v.validate(token)).userId).toBe('u');
    now += 51_000;
    expect(await kindOf(v.validate(token))).toBe('ExpiredToken');
    expect(server.calls).toBe(1);
    expect(v.jwksClient(`${ISSUER}/`)?.fetchCount).toBe(1);
  });
});
