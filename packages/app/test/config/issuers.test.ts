import { describe, expect, it } from 'vitest';
import { load, loadError } from './helpers.js';

const REQUIRED =
  'TRUSTED_ISSUERS must be set (the built-in development issuer only runs when NODE_ENV is not ' +
  '"production" and LISTEN_ADDR is a loopback address)';

describe('TRUSTED_ISSUERS and the development issuer', () => {
  it('CONFIG-04 from_values_requires_trusted_issuers: unset with a public LISTEN_ADDR is fatal', () => {
    const error = loadError({ TRUSTED_ISSUERS: undefined, LISTEN_ADDR: '0.0.0.0:5379' });
    expect(error.variable).toBe('TRUSTED_ISSUERS');
    expect(error.message).toBe(REQUIRED);
    expect(error.message.startsWith('TRUSTED_ISSUERS must be set')).toBe(true);
  });

  it('CONFIG-04 empty and whitespace-only count as unset', () => {
    for (const value of ['', ' \t\n ']) {
      expect(loadError({ TRUSTED_ISSUERS: value, LISTEN_ADDR: '0.0.0.0:1' }).message).toBe(REQUIRED);
      expect(load({ TRUSTED_ISSUERS: value }).devIssuer).toBe(true);
    }
  });

  it('CONFIG-04 from_values_parses_explicit_jwks_urls', () => {
    const config = load({
      TRUSTED_ISSUERS: 'https://accounts.less.so=http://auth.internal/.well-known/jwks.json',
    });
    expect(config.issuers).toEqual([
      { issuer: 'https://accounts.less.so', jwksUrl: 'http://auth.internal/.well-known/jwks.json' },
    ]);
    expect(config.devIssuer).toBe(false);
  });

  it('CONFIG-04 from_values_rejects_invalid_issuer_urls', () => {
    const error = loadError({ TRUSTED_ISSUERS: 'not-a-url' });
    expect(error.variable).toBe('TRUSTED_ISSUERS');
    expect(error.message).toBe('invalid issuer URL "not-a-url": relative URL without a base');
  });

  it.each([
    ['ftp://issuer.example', 'invalid issuer URL "ftp://issuer.example": must use http or https'],
    ['https://', 'invalid issuer URL "https://": invalid URL'],
    ['https://a.example=', 'invalid jwks_url URL "": relative URL without a base'],
    ['https://a.example=/jwks', 'invalid jwks_url URL "/jwks": relative URL without a base'],
    ['https://a.example=file:///jwks', 'invalid jwks_url URL "file:///jwks": must use http or https'],
    ['https://ok.example not-a-url', 'invalid issuer URL "not-a-url": relative URL without a base'],
  ])('CONFIG-04 %j → %s', (value, message) => {
    expect(loadError({ TRUSTED_ISSUERS: value }).message).toBe(message);
  });

  it('CONFIG-04 an entry splits at the FIRST `=`: the JWKS URL keeps its own `=`', () => {
    const config = load({ TRUSTED_ISSUERS: 'https://b.example=https://keys.example/j?k=v' });
    expect(config.issuers).toEqual([{ issuer: 'https://b.example', jwksUrl: 'https://keys.example/j?k=v' }]);
  });

  it('CONFIG-04 whitespace-separated entries, trailing slashes removed (no lower-casing), last duplicate wins', () => {
    const config = load({
      TRUSTED_ISSUERS:
        ' https://A.example/// \n http://b.example:8080/realm\thttps://A.example=https://keys.example/jwks.json ',
    });
    expect(config.issuers).toEqual([
      { issuer: 'https://A.example', jwksUrl: 'https://keys.example/jwks.json' },
      { issuer: 'http://b.example:8080/realm', jwksUrl: 'http://b.example:8080/realm/.well-known/jwks.json' },
    ]);
  });

  it('CONFIG-05 from_values_parses_comma_separated_audiences (real behaviour: trimmed, empties dropped)', () => {
    const config = load({ AUDIENCES: 'betterbase-sync, less-sync-local ,' });
    expect(config.audiences).toEqual(['betterbase-sync', 'less-sync-local']);
  });

  it('CONFIG-05 no AUDIENCES means no audience check (empty list)', () => {
    expect(load().audiences).toEqual([]);
    expect(load({ AUDIENCES: ' , ,' }).audiences).toEqual([]);
  });

  it('CONFIG-04 dev issuer: on only with no issuers, NODE_ENV not production and a loopback LISTEN_ADDR', () => {
    const none = { TRUSTED_ISSUERS: undefined };
    expect(load({ ...none, LISTEN_ADDR: '127.0.0.1:5379' }).devIssuer).toBe(true);
    expect(load({ ...none, LISTEN_ADDR: '127.255.0.9:1' }).devIssuer).toBe(true);
    expect(load({ ...none, LISTEN_ADDR: '[::1]:5379' }).devIssuer).toBe(true);
    expect(load({ ...none, NODE_ENV: 'development' }).devIssuer).toBe(true);
    expect(loadError({ ...none, LISTEN_ADDR: '0.0.0.0:5379' }).message).toBe(REQUIRED);
    expect(loadError({ ...none, LISTEN_ADDR: '[::]:5379' }).message).toBe(REQUIRED);
    expect(loadError({ ...none, LISTEN_ADDR: '192.168.1.2:5379' }).message).toBe(REQUIRED);
    expect(loadError({ ...none, LISTEN_ADDR: '128.0.0.1:5379' }).message).toBe(REQUIRED);
    expect(loadError({ ...none, LISTEN_ADDR: '127.0.0.1:5379', NODE_ENV: 'production' }).message).toBe(
      REQUIRED,
    );
  });

  it('CONFIG-04 the dev issuer is not a config warning: the server announces it once, when it listens', () => {
    const config = load({ TRUSTED_ISSUERS: undefined });
    expect(config.devIssuer).toBe(true);
    expect(config.warnings.some((w) => w.includes('development issuer'))).toBe(false);
  });
});
