import { describe, expect, it } from 'vitest';
import { load, loadError, REFERENCE_ENV } from './helpers.js';

describe('LISTEN_ADDR', () => {
  it('CONFIG-02 from_values_uses_default_listen_addr: reference-style config binds 0.0.0.0:5379', () => {
    const config = load();
    expect(config.listenAddr).toEqual({ host: '0.0.0.0', port: 5379, family: 4, text: '0.0.0.0:5379' });
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://localhost/less-sync' });
    expect(config.issuers).toEqual([
      { issuer: 'https://accounts.less.so', jwksUrl: 'https://accounts.less.so/.well-known/jwks.json' },
    ]);
  });

  it('CONFIG-02 from_values_validates_listen_addr: not-an-address is refused with "invalid"', () => {
    const error = loadError({ LISTEN_ADDR: 'not-an-address' });
    expect(error.variable).toBe('LISTEN_ADDR');
    expect(error.message).toBe(
      'invalid LISTEN_ADDR "not-an-address": invalid socket address syntax (expected IPv4:port or [IPv6]:port)',
    );
  });

  it.each([
    'localhost:5379',
    '',
    '0.0.0.0',
    '0.0.0.0:',
    '0.0.0.0:65536',
    '0.0.0.0:-1',
    '0.0.0.0:+80',
    '256.0.0.1:80',
    '01.2.3.4:80',
    '::1:5379',
    '[::1]',
    '[fe80::1%eth0]:80',
    '[not-ipv6]:80',
    ' 127.0.0.1:5379',
  ])('CONFIG-02 refuses %j (host names, empty, missing or bad port)', (value) => {
    expect(loadError({ LISTEN_ADDR: value }).message).toContain('invalid socket address syntax');
  });

  it.each([
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0, family: 4, text: '127.0.0.1:0' }],
    ['10.1.2.3:65535', { host: '10.1.2.3', port: 65535, family: 4, text: '10.1.2.3:65535' }],
    ['[::1]:5379', { host: '::1', port: 5379, family: 6, text: '[::1]:5379' }],
    ['[0:0:0:0:0:0:0:1]:80', { host: '::1', port: 80, family: 6, text: '[::1]:80' }],
    ['[::]:5379', { host: '::', port: 5379, family: 6, text: '[::]:5379' }],
  ])('CONFIG-02 accepts literal %s (port 0 is ephemeral)', (value, expected) => {
    expect(load({ LISTEN_ADDR: value }).listenAddr).toEqual(expected);
  });

  it('CONFIG-02 R23 zero-config default: with no TRUSTED_ISSUERS outside production it binds loopback 127.0.0.1:5379', () => {
    const config = load({}, {});
    expect(config.listenAddr.text).toBe('127.0.0.1:5379');
    expect(config.devIssuer).toBe(true);
  });

  it('CONFIG-02 production default stays the reference 0.0.0.0:5379 (and then TRUSTED_ISSUERS is required)', () => {
    expect(load({ NODE_ENV: 'production' }).listenAddr.text).toBe('0.0.0.0:5379');
    expect(loadError({ NODE_ENV: 'production', TRUSTED_ISSUERS: undefined }).variable).toBe(
      'TRUSTED_ISSUERS',
    );
  });

  it('CONFIG-02 a blank TRUSTED_ISSUERS counts as unset for the default address', () => {
    expect(load({ TRUSTED_ISSUERS: '  ' }, { ...REFERENCE_ENV }).listenAddr.text).toBe('127.0.0.1:5379');
  });
});
