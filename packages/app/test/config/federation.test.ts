import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalizeDomain, domainFromKeyId } from '../../src/config/federation-domain.js';
import { load, loadError } from './helpers.js';

function publicKey(): { bytes: Uint8Array; text: string } {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const text = jwk.x ?? '';
  return { bytes: new Uint8Array(Buffer.from(text, 'base64url')), text };
}

const KEY_ID = 'https://peer.example.com/.well-known/jwks.json#fed-1';

describe('federation variables (CONFIG-09, FED-QUOTA-01, FED-KEY-05, FED-KEY-06)', () => {
  it('CONFIG-09 FED-QUOTA-01 parse_federation_runtime_config_defaults', () => {
    const { federation } = load();
    expect(federation).toEqual({
      trustedDomains: [],
      trustedKeys: [],
      inboundEnabled: false,
      fstSecret: undefined,
      fstPreviousSecret: undefined,
      quotas: {
        maxSpaces: 1000,
        maxRecordsPerHour: 10_000,
        maxBytesPerHour: 524_288_000,
        maxInvitationsPerHour: 100,
        maxConnections: 3,
      },
      domain: undefined,
      outbound: {
        callTimeoutMs: 5000,
        reconnectMaxMs: 30_000,
        peerUrls: {},
        caFile: undefined,
        nodeExtraCaFile: undefined,
      },
    });
  });

  it('FED-KEY-05 FED-KEY-06 parse_federation_runtime_config_parses_domains_and_keys', () => {
    const key = publicKey();
    const { federation } = load({
      FEDERATION_TRUSTED_DOMAINS: 'PEER.example.com,other.example.com',
      FEDERATION_TRUSTED_KEYS: `${KEY_ID}=${key.text}`,
      FEDERATION_FST_SECRET: 'secret-1',
      FEDERATION_FST_PREVIOUS_SECRET: 'secret-0',
      FEDERATION_MAX_SPACES: '11',
      FEDERATION_MAX_RECORDS_PER_HOUR: '12',
      FEDERATION_MAX_BYTES_PER_HOUR: '13',
      FEDERATION_MAX_INVITATIONS_PER_HOUR: '14',
      FEDERATION_MAX_CONNECTIONS: '15',
    });
    expect(federation.trustedDomains).toEqual(['other.example.com', 'peer.example.com']);
    expect(federation.trustedKeys).toEqual([
      { keyId: KEY_ID, domain: 'peer.example.com', publicKey: key.bytes },
    ]);
    expect(federation.inboundEnabled).toBe(true);
    expect(federation.fstSecret).toBe('secret-1');
    expect(federation.fstPreviousSecret).toBe('secret-0');
    expect(federation.quotas).toEqual({
      maxSpaces: 11,
      maxRecordsPerHour: 12,
      maxBytesPerHour: 13,
      maxInvitationsPerHour: 14,
      maxConnections: 15,
    });
  });

  it('FED-KEY-05 parse_federation_runtime_config_derives_domains_from_keys (sorted, de-duplicated)', () => {
    const a = publicKey();
    const b = publicKey();
    const { federation } = load({
      FEDERATION_TRUSTED_KEYS: [
        `${KEY_ID}=${a.text}`,
        `https://zeta.example:8443/.well-known/jwks.json#k=${b.text}`,
        `https://PEER.example.com./.well-known/jwks.json#fed-2=${b.text}`,
      ].join('\n  '),
    });
    expect(federation.trustedDomains).toEqual(['peer.example.com', 'zeta.example']);
    expect(federation.trustedKeys.map((k) => k.domain)).toEqual([
      'peer.example.com',
      'zeta.example',
      'peer.example.com',
    ]);
  });

  it('FED-KEY-05 parse_federation_runtime_config_rejects_untrusted_key_domain', () => {
    const error = loadError({
      FEDERATION_TRUSTED_DOMAINS: 'other.example.com',
      FEDERATION_TRUSTED_KEYS: `${KEY_ID}=${publicKey().text}`,
    });
    expect(error.variable).toBe('FEDERATION_TRUSTED_KEYS');
    expect(error.message).toBe(
      'FEDERATION_TRUSTED_KEYS domain "peer.example.com" is not listed in FEDERATION_TRUSTED_DOMAINS',
    );
  });

  it('FED-KEY-05 key domains have no port, so a listed host:port does not satisfy the check', () => {
    const keyId = 'http://localhost:5379/.well-known/jwks.json#fed-1';
    expect(
      loadError({
        FEDERATION_TRUSTED_DOMAINS: 'localhost:5379',
        FEDERATION_TRUSTED_KEYS: `${keyId}=${publicKey().text}`,
      }).message,
    ).toContain('"localhost" is not listed');
    const ok = load({
      FEDERATION_TRUSTED_DOMAINS: 'localhost, localhost:5379',
      FEDERATION_TRUSTED_KEYS: `${keyId}=${publicKey().text}`,
    });
    expect(ok.federation.trustedDomains).toEqual(['localhost', 'localhost:5379']);
  });

  it('FED-KEY-05 trusted domains alone: trimmed, canonicalized, sorted, de-duplicated; federation inbound stays off', () => {
    const { federation } = load({
      FEDERATION_TRUSTED_DOMAINS:
        ' b.example , https://A.EXAMPLE:443/path,, b.example.,a.example,c.example:8443',
    });
    expect(federation.trustedDomains).toEqual(['a.example', 'b.example', 'c.example:8443']);
    expect(federation.inboundEnabled).toBe(false);
  });

  it('FED-KEY-05 a later duplicate key id overwrites the earlier key', () => {
    const a = publicKey();
    const b = publicKey();
    const { federation } = load({ FEDERATION_TRUSTED_KEYS: `${KEY_ID}=${a.text} ${KEY_ID}=${b.text}` });
    expect(federation.trustedKeys).toEqual([
      { keyId: KEY_ID, domain: 'peer.example.com', publicKey: b.bytes },
    ]);
  });

  it.each([
    ['no-equals-sign', 'invalid FEDERATION_TRUSTED_KEYS entry "no-equals-sign"'],
    ['ftp://peer.example.com/k#1=AAAA', 'invalid federation key id "ftp://peer.example.com/k#1"'],
    ['peer.example.com/k#1=AAAA', 'invalid federation key id "peer.example.com/k#1"'],
    ['https://evil.com@trusted.com/k#1=AAAA', 'invalid federation key id "https://evil.com@trusted.com/k#1"'],
    [
      'https:///.well-known/jwks.json#fed-1=AAAA',
      'invalid federation key id "https:///.well-known/jwks.json#fed-1"',
    ],
    [`${KEY_ID}=not base64!`, `invalid federation key payload for "${KEY_ID}"`],
    [`${KEY_ID}=${'A'.repeat(42)}E=`, `invalid federation key payload for "${KEY_ID}"`],
    [`${KEY_ID}=${'A'.repeat(42)}B`, `invalid federation key payload for "${KEY_ID}"`],
    [`${KEY_ID}=${'A'.repeat(41)}`, `invalid federation key payload for "${KEY_ID}"`],
    [
      `${KEY_ID}=${Buffer.alloc(31).toString('base64url')}`,
      `federation key for "${KEY_ID}" must be 32 bytes`,
    ],
    [
      `${KEY_ID}=${Buffer.alloc(33).toString('base64url')}`,
      `federation key for "${KEY_ID}" must be 32 bytes`,
    ],
    [`${KEY_ID}=`, `federation key for "${KEY_ID}" must be 32 bytes`],
  ])('FED-KEY-05 FEDERATION_TRUSTED_KEYS %j → %s', (value, message) => {
    const error = loadError({ FEDERATION_TRUSTED_KEYS: value });
    expect(error.variable).toBe('FEDERATION_TRUSTED_KEYS');
    expect(error.message).toBe(message);
  });

  it('FED-KEY-05 a 32-byte key that is not an Ed25519 point is refused at start', () => {
    const notAPoint = Buffer.alloc(32);
    notAPoint[0] = 2;
    const error = loadError({ FEDERATION_TRUSTED_KEYS: `${KEY_ID}=${notAPoint.toString('base64url')}` });
    expect(error.variable).toBe('FEDERATION_TRUSTED_KEYS');
    expect(error.message).toBe(`invalid federation key bytes for "${KEY_ID}"`);
  });

  it('FED-KEY-02 FEDERATION_DOMAIN is canonicalized; blank is unset; a domain-less value is refused', () => {
    expect(load({ FEDERATION_DOMAIN: ' HTTPS://Sync.Example.com:443/ ' }).federation.domain).toBe(
      'sync.example.com',
    );
    expect(load({ FEDERATION_DOMAIN: '  ' }).federation.domain).toBeUndefined();
    expect(loadError({ FEDERATION_DOMAIN: 'https:///x' }).message).toBe(
      'FEDERATION_DOMAIN must name a domain',
    );
  });

  it('FED-KEY-05 a padded key is refused, an IPv6 key id gives its bare address', () => {
    const key = publicKey();
    expect(loadError({ FEDERATION_TRUSTED_KEYS: `${KEY_ID}=${key.text}=` }).message).toContain('key payload');
    const ipv6 = load({
      FEDERATION_TRUSTED_KEYS: `https://[::1]:5379/.well-known/jwks.json#fed-1=${key.text}`,
    });
    expect(ipv6.federation.trustedDomains).toEqual(['::1']);
  });

  it('FED-QUOTA-01 parse_federation_runtime_config_rejects_invalid_quota_values', () => {
    expect(loadError({ FEDERATION_MAX_CONNECTIONS: '0' }).message).toBe(
      'FEDERATION_MAX_CONNECTIONS must be greater than zero',
    );
  });

  it.each([
    ['FEDERATION_MAX_SPACES', 'maxSpaces'],
    ['FEDERATION_MAX_RECORDS_PER_HOUR', 'maxRecordsPerHour'],
    ['FEDERATION_MAX_BYTES_PER_HOUR', 'maxBytesPerHour'],
    ['FEDERATION_MAX_INVITATIONS_PER_HOUR', 'maxInvitationsPerHour'],
    ['FEDERATION_MAX_CONNECTIONS', 'maxConnections'],
  ] as const)('FED-QUOTA-01 %s: trimmed, empty → default, zero and non-numbers refused', (name, field) => {
    expect(loadError({ [name]: ' 0 ' }).message).toBe(`${name} must be greater than zero`);
    expect(loadError({ [name]: 'ten' }).message).toBe(
      `invalid ${name} value "ten": invalid digit found in string`,
    );
    expect(loadError({ [name]: '-5' }).message).toBe(
      `invalid ${name} value "-5": invalid digit found in string`,
    );
    expect(loadError({ [name]: '1.5' }).variable).toBe(name);
    expect(loadError({ [name]: '99999999999999999999' }).message).toBe(
      `invalid ${name} value "99999999999999999999": number too large to fit in target type`,
    );
    expect(load({ [name]: '   ' }).federation.quotas).toEqual(load().federation.quotas);
    // Rust's integer parser takes a leading `+`.
    expect(load({ [name]: ' +7 ' }).federation.quotas[field]).toBe(7);
    expect(load({ [name]: '2000000' }).federation.quotas[field]).toBe(2_000_000);
  });

  it('FED-QUOTA-01 quotas are checked in table order before domains and keys', () => {
    const error = loadError({
      FEDERATION_MAX_SPACES: 'x',
      FEDERATION_MAX_CONNECTIONS: '0',
      FEDERATION_TRUSTED_KEYS: 'garbage',
    });
    expect(error.variable).toBe('FEDERATION_MAX_SPACES');
    expect(loadError({ FEDERATION_MAX_CONNECTIONS: '0', FEDERATION_TRUSTED_KEYS: 'garbage' }).variable).toBe(
      'FEDERATION_MAX_CONNECTIONS',
    );
  });

  it('FED-KEY-06 FST secrets are trimmed; empty is unset; the previous secret needs a current one', () => {
    expect(
      load({ FEDERATION_FST_SECRET: '  s1 ', FEDERATION_FST_PREVIOUS_SECRET: ' ' }).federation,
    ).toMatchObject({
      fstSecret: 's1',
      fstPreviousSecret: undefined,
    });
    const orphan = load({ FEDERATION_FST_SECRET: '', FEDERATION_FST_PREVIOUS_SECRET: 's0' });
    expect(orphan.federation.fstSecret).toBeUndefined();
    expect(orphan.federation.fstPreviousSecret).toBeUndefined();
    expect(orphan.warnings).toContain(
      'FEDERATION_FST_PREVIOUS_SECRET is ignored because FEDERATION_FST_SECRET is not set',
    );
  });

  it('FED-KEY-05 canonicalize_domain_cases', () => {
    const cases: Array<[string, string]> = [
      ['example.com', 'example.com'],
      ['EXAMPLE.COM', 'example.com'],
      ['example.com.', 'example.com'],
      ['example.com:443', 'example.com'],
      ['example.com:443:443', 'example.com'],
      ['example.com:8443', 'example.com:8443'],
      ['https://example.com', 'example.com'],
      ['https://EXAMPLE.COM:443/path', 'example.com'],
      ['http://example.com:8080/foo', 'example.com:8080'],
      ['http://example.com:80', 'example.com:80'],
    ];
    for (const [input, expected] of cases) expect(canonicalizeDomain(input)).toBe(expected);
  });

  it('FED-KEY-05 FED-WS-04 extract_domain_from_key_id_cases', () => {
    expect(domainFromKeyId(KEY_ID)).toBe('peer.example.com');
    expect(domainFromKeyId('http://localhost:5379/.well-known/jwks.json#fed-1')).toBe('localhost');
    expect(domainFromKeyId('https://[::1]:5379/.well-known/jwks.json#fed-1')).toBe('::1');
    expect(domainFromKeyId('https://sync.example.com')).toBe('sync.example.com');
    for (const bad of [
      'https://evil.com@trusted.com/.well-known/jwks.json#fed-1',
      'https://:pw@trusted.com/x#1',
      'ftp://sync.example.com/.well-known/jwks.json#fed-1',
      'sync.example.com/.well-known/jwks.json#fed-1',
      'https:///.well-known/jwks.json#fed-1',
    ]) {
      expect(domainFromKeyId(bad)).toBeUndefined();
    }
  });
});

describe('outbound federation variables (FED-PEER-02, B8)', () => {
  it('FED-PEER-02 B8 FEDERATION_CALL_TIMEOUT_MS, _RECONNECT_MAX_MS, _PEER_URLS and _CA_FILE parse', () => {
    const { federation } = load({
      FEDERATION_CALL_TIMEOUT_MS: '750',
      FEDERATION_RECONNECT_MAX_MS: '2000',
      FEDERATION_PEER_URLS:
        'Home.Example:443=wss://10.0.0.5:8443/api/v1/federation/ws, 127.0.0.1:5002=ws://127.0.0.1:5002/x',
      FEDERATION_CA_FILE: '/etc/peer-ca.pem',
    });
    expect(federation.outbound).toEqual({
      callTimeoutMs: 750,
      reconnectMaxMs: 2000,
      peerUrls: {
        'home.example': 'wss://10.0.0.5:8443/api/v1/federation/ws',
        '127.0.0.1:5002': 'ws://127.0.0.1:5002/x',
      },
      caFile: '/etc/peer-ca.pem',
      nodeExtraCaFile: undefined,
    });
  });

  it('FED-PEER-02 refuses a peer URL that is not ws:// or wss:// and a zero deadline', () => {
    expect(() => load({ FEDERATION_PEER_URLS: 'a.example=https://a.example' })).toThrow(
      /invalid FEDERATION_PEER_URLS entry "a.example=https:\/\/a.example"/,
    );
    expect(() => load({ FEDERATION_PEER_URLS: 'nodomain' })).toThrow(/FEDERATION_PEER_URLS/);
    expect(() => load({ FEDERATION_CALL_TIMEOUT_MS: '0' })).toThrow(
      'FEDERATION_CALL_TIMEOUT_MS must be greater than zero',
    );
  });
});
