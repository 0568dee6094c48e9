import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/index.js';
import { createTokenValidator } from '../../src/server/validator.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('R13 R14 CONFIG-04 the server validator built from TRUSTED_ISSUERS', () => {
  it('R13 accepts an RS256 token from a real JWKS endpoint that also lists a key it cannot use', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
    const keys = { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac', alg: 'HS256' }, jwk] };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(keys));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = loadConfig({
      TRUSTED_ISSUERS: issuer,
      AUDIENCES: 'my-app',
      JWT_CLOCK_LEEWAY_SECONDS: '0',
    });
    expect(config.devIssuer).toBe(false);
    const validator = createTokenValidator(config, undefined);

    const now = Math.floor(Date.now() / 1000);
    const signed = (claims: object) => {
      const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'rsa-1' })}.${b64(claims)}`;
      return `${input}.${sign('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`;
    };
    const base = {
      iss: issuer,
      sub: 'u1',
      client_id: 'c1',
      aud: 'my-app',
      scope: 'sync files',
      exp: now + 60,
    };
    const auth = await validator.validateToken(signed(base));
    expect(auth).toMatchObject({ issuer, userId: 'u1', clientId: 'c1', scope: 'sync files' });
    await expect(validator.validateToken(signed({ ...base, aud: 'other' }))).rejects.toMatchObject({
      kind: 'InvalidToken',
    });
    await expect(validator.validateToken(signed({ ...base, exp: now - 5 }))).rejects.toMatchObject({
      kind: 'ExpiredToken',
    });
    const { exp: _exp, ...noExp } = base;
    await expect(validator.validateToken(signed(noExp))).rejects.toMatchObject({ kind: 'InvalidToken' });
    await expect(
      validator.validateToken(signed({ ...base, iss: 'https://elsewhere.example' })),
    ).rejects.toMatchObject({
      kind: 'UntrustedIssuer',
    });
  });
});
