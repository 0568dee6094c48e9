import { JwtValidator } from '@less-sync/auth';
import { personalSpaceId } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import {
  DEV_ISSUER,
  DEV_JWKS_URL,
  DevIssuer,
  devIssuerRoutes,
  isLoopbackAddress,
  loadConfig,
} from '../../src/index.js';
import { createTokenValidator } from '../../src/server/validator.js';

const info = (remoteAddress: string | undefined) => ({
  remoteAddress,
  requestId: 'r',
  logger: {
    debug() {},
    info() {},
    warn() {},
    error() {},
    child() {
      return this;
    },
  },
});

describe('development issuer', () => {
  it('mints tokens the configured validator accepts, with every claim the WebSocket needs', async () => {
    const issuer = new DevIssuer();
    const config = loadConfig({ LISTEN_ADDR: '127.0.0.1:0' });
    expect(config.devIssuer).toBe(true);
    const validator = createTokenValidator(config, issuer);
    const minted = issuer.mint({ user: 'alice', did: 'did:key:zabc' });
    const auth = await validator.validateToken(minted.token);
    expect(auth).toMatchObject({
      issuer: DEV_ISSUER,
      userId: 'alice',
      clientId: 'dev-client',
      did: 'did:key:zabc',
      scope: 'sync files',
      personalSpaceId: personalSpaceId(DEV_ISSUER, 'alice', 'dev-client'),
      mailboxId: minted.mailbox_id,
    });
    expect(auth.expiresAt).toBe(minted.expires_at);
    expect(minted.mailbox_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a token of another development issuer (another start) is refused', async () => {
    const validator = new JwtValidator({
      issuers: [{ issuer: DEV_ISSUER, jwksUrl: DEV_JWKS_URL }],
      fetch: new DevIssuer().fetch(),
    });
    await expect(validator.validateToken(new DevIssuer().mint({ user: 'bob' }).token)).rejects.toMatchObject({
      kind: 'InvalidToken',
    });
  });

  it('its fetch answers only the development JWKS URL in-process', async () => {
    const seen: string[] = [];
    const fetch = new DevIssuer().fetch(async (url) => {
      seen.push(url);
      return new Response('{}');
    });
    const signal = new AbortController().signal;
    const set = (await (await fetch(DEV_JWKS_URL, { signal, redirect: 'follow' })).json()) as {
      keys: unknown[];
    };
    expect(set.keys).toHaveLength(1);
    await fetch('https://elsewhere.example/jwks', { signal, redirect: 'follow' });
    expect(seen).toEqual(['https://elsewhere.example/jwks']);
  });

  it('is off whenever NODE_ENV=production or issuers are configured', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', LISTEN_ADDR: '127.0.0.1:0' })).toThrow(
      /TRUSTED_ISSUERS must be set/,
    );
    expect(loadConfig({ TRUSTED_ISSUERS: 'https://id.example', LISTEN_ADDR: '127.0.0.1:0' }).devIssuer).toBe(
      false,
    );
    expect(() => loadConfig({ LISTEN_ADDR: '0.0.0.0:0' })).toThrow(/TRUSTED_ISSUERS must be set/);
  });

  it('the token route: defaults, parameters, validation and loopback-only', async () => {
    const issuer = new DevIssuer();
    const [token, jwks] = devIssuerRoutes(issuer);
    const get = token?.methods.GET;
    if (!get || !jwks?.methods.GET) throw new Error('routes missing');
    const ok = await get(new Request('http://x/dev/token?client=cli&scope=sync&ttl=60'), info('127.0.0.1'));
    const body = (await ok.json()) as { expires_at: number };
    expect(body).toMatchObject({ user: 'dev-user', client_id: 'cli', scope: 'sync' });
    expect(body.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
    for (const query of [
      'user=a%20b',
      'client=%2F',
      'did=x',
      'scope=%3B',
      'ttl=0',
      'ttl=abc',
      'ttl=99999999',
    ]) {
      expect((await get(new Request(`http://x/dev/token?${query}`), info('::1'))).status).toBe(400);
    }
    expect((await get(new Request('http://x/dev/token'), info('10.0.0.2'))).status).toBe(403);
    expect((await jwks.methods.GET(new Request('http://x/dev/jwks.json'), info('192.168.1.1'))).status).toBe(
      403,
    );
    expect((await jwks.methods.GET(new Request('http://x/dev/jwks.json'), info(undefined))).status).toBe(200);
  });

  it('isLoopbackAddress: 127/8, ::1 and IPv4-mapped loopback only', () => {
    expect(['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1', undefined].map(isLoopbackAddress)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '::2', 'fe80::1'].map(isLoopbackAddress)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
