import { generateKeyPairSync } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { signatureBase } from '../src/httpsig/components.js';
import { parseSignatureInput } from '../src/httpsig/parse.js';
import {
  ed25519PublicKeyBytes,
  extractDomainFromKeyId,
  extractKidFromKeyId,
  FEDERATION_TARGET_URI_SCHEMES,
  type HttpRequestLike,
  HttpSignatureError,
  signHttpRequest,
  type VerifyHttpSignatureOptions,
  verifyHttpSignature,
} from '../src/index.js';

const KEY_ID = 'https://peer.example.com/.well-known/jwks.json#fed-1';
const URL_ = 'https://server.example.com/api/v1/federation/ws';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey };
}

function request(headers: Record<string, string> = {}, url = URL_): HttpRequestLike {
  return { method: 'GET', url, headers: { host: 'server.example.com', ...headers } };
}

function signed(
  privateKey: Parameters<typeof signHttpRequest>[1],
  base = request(),
  keyId = KEY_ID,
  now?: () => number,
) {
  const headers = signHttpRequest(base, privateKey, keyId, now === undefined ? {} : { now });
  return { ...base, headers: { ...(base.headers as Record<string, string>), ...headers } };
}

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpSignatureError);
    return (error as HttpSignatureError).kind;
  }
  return 'ok';
}

describe('HTTP message signatures (reference scenarios)', () => {
  it('HTTPSIG-01 HTTPSIG-06 http_signature_round_trip', async () => {
    const { privateKey, publicKey } = keyPair();
    const req = signed(privateKey);
    expect(req.headers['Signature-Input']).toMatch(
      /^sig=\("@method" "@target-uri" "host"\);keyid="https:\/\/peer\.example\.com\/\.well-known\/jwks\.json#fed-1";alg="ed25519";created=\d+$/,
    );
    expect(req.headers.Signature).toMatch(/^sig=:[A-Za-z0-9+/]{86}==:$/);
    const params = await verifyHttpSignature(req, (received) => {
      if (received !== KEY_ID)
        throw new HttpSignatureError('KeyLookupFailed', `unexpected keyid: ${received}`);
      return publicKey;
    });
    expect(params.keyId).toBe(KEY_ID);
    expect(params.algorithm).toBe('ed25519');
    expect(params.coveredComponents).toHaveLength(3);
    expect(params.targetUri).toBe(URL_);
  });

  it('HTTPSIG-06 http_signature_rejects_wrong_key', async () => {
    const req = signed(keyPair().privateKey);
    expect(await kindOf(verifyHttpSignature(req, () => keyPair().publicKey))).toBe('VerificationFailed');
  });

  it('HTTPSIG-07 http_signature_rejects_expired (max age 0, now 1 ms after created)', async () => {
    const { privateKey, publicKey } = keyPair();
    const req = signed(privateKey, request(), KEY_ID, () => 1_700_000_000_000);
    const options = { maxAgeSeconds: 0, now: () => 1_700_000_000_001 };
    expect(await kindOf(verifyHttpSignature(req, () => publicKey, options))).toBe('SignatureExpired');
    expect(
      await kindOf(verifyHttpSignature(req, () => publicKey, { ...options, now: () => 1_700_000_000_000 })),
    ).toBe('ok');
  });

  it('HTTPSIG-06 http_signature_rejects_missing_headers', async () => {
    const lookup = () => {
      throw new HttpSignatureError('KeyLookupFailed', 'unused');
    };
    expect(await kindOf(verifyHttpSignature(request(), lookup))).toBe('MissingSignatureInput');
    const onlyInput = signed(keyPair().privateKey);
    const { Signature: _dropped, ...headers } = onlyInput.headers;
    expect(await kindOf(verifyHttpSignature({ ...onlyInput, headers }, lookup))).toBe('MissingSignature');
  });

  it('HTTPSIG-08 extract_kid_from_key_id_cases', () => {
    expect(extractKidFromKeyId('https://sync.example.com/.well-known/jwks.json#fed-1')).toEqual({
      jwksUrl: 'https://sync.example.com/.well-known/jwks.json',
      kid: 'fed-1',
    });
    expect(extractKidFromKeyId('a#b#c')).toEqual({ jwksUrl: 'a#b', kid: 'c' });
    expect(extractKidFromKeyId('a#')).toEqual({ jwksUrl: 'a', kid: '' });
    expect(() => extractKidFromKeyId('https://sync.example.com/.well-known/jwks.json')).toThrow(
      'invalid keyid: keyid "https://sync.example.com/.well-known/jwks.json" has no fragment',
    );
  });

  it('HTTPSIG-09 extract_domain_from_key_id_cases', () => {
    expect(extractDomainFromKeyId('https://sync.example.com/.well-known/jwks.json#fed-1')).toBe(
      'sync.example.com',
    );
    expect(extractDomainFromKeyId('http://localhost:5379/.well-known/jwks.json#fed-1')).toBe('localhost');
    expect(extractDomainFromKeyId('https://[::1]:5379/.well-known/jwks.json#fed-1')).toBe('::1');
    expect(extractDomainFromKeyId('https://SYNC.Example.COM/x')).toBe('sync.example.com');
    const errors: [string, string][] = [
      ['https://evil.com@trusted.com/.well-known/jwks.json#fed-1', 'keyid must not contain userinfo'],
      ['https://:pw@trusted.com/.well-known/jwks.json#fed-1', 'keyid must not contain userinfo'],
      ['ftp://sync.example.com/.well-known/jwks.json#fed-1', 'keyid must use http(s) scheme'],
      ['sync.example.com/.well-known/jwks.json#fed-1', 'invalid URL'],
      ['https:///.well-known/jwks.json#fed-1', 'keyid has no host'],
    ];
    for (const [keyId, message] of errors) {
      expect(() => extractDomainFromKeyId(keyId), keyId).toThrow(`invalid keyid: ${message}`);
    }
  });

  it('HTTPSIG-02 http_signature_rejects_tampered_key_id', async () => {
    const { privateKey, publicKey } = keyPair();
    const req = signed(privateKey);
    const tampered = {
      ...req,
      headers: {
        ...req.headers,
        'Signature-Input': req.headers['Signature-Input'].replace('peer.example.com', 'evil.example.com'),
      },
    };
    expect(await kindOf(verifyHttpSignature(tampered, () => publicKey))).toBe('VerificationFailed');
  });

  it('HTTPSIG-03 http_signature_rejects_tampered_host', async () => {
    const { privateKey, publicKey } = keyPair();
    const req = signed(privateKey);
    const tampered = { ...req, headers: { ...req.headers, host: 'evil.example.com' } };
    expect(await kindOf(verifyHttpSignature(tampered, () => publicKey))).toBe('VerificationFailed');
  });

  it('HTTPSIG-07 ENC-03 http_signature_recent_timestamp_is_valid; future skew is allowed up to max age', async () => {
    const { privateKey, publicKey } = keyPair();
    expect(await kindOf(verifyHttpSignature(signed(privateKey), () => publicKey))).toBe('ok');
    const req = signed(privateKey, request(), KEY_ID, () => 1_700_000_000_000);
    const at = (ms: number) => ({ now: () => ms });
    expect(await kindOf(verifyHttpSignature(req, () => publicKey, at(1_700_000_300_000)))).toBe('ok');
    expect(await kindOf(verifyHttpSignature(req, () => publicKey, at(1_700_000_300_001)))).toBe(
      'SignatureExpired',
    );
    expect(await kindOf(verifyHttpSignature(req, () => publicKey, at(1_699_999_700_000)))).toBe('ok');
    expect(await kindOf(verifyHttpSignature(req, () => publicKey, at(1_699_999_699_999)))).toBe(
      'SignatureExpired',
    );
  });

  it('HTTPSIG-04 parse_signature_input_invalid_shapes (exact messages)', () => {
    expect(parseSignatureInput('sig=')).toBe('expected ( after sig=');
    expect(parseSignatureInput('')).toBe('expected sig= prefix');
    expect(parseSignatureInput('sig=no-paren')).toBe('expected ( after sig=');
    expect(parseSignatureInput('sig=(@method @target-uri')).toBe('unclosed component list');
    expect(parseSignatureInput('sig=(@method);alg="ed25519";created=1234567890')).toBe(
      'missing keyid parameter',
    );
    expect(parseSignatureInput('sig=(@method);keyid="https://example.com#k1";created=1234567890')).toBe(
      'missing alg parameter',
    );
    expect(parseSignatureInput('sig=(@method);keyid="https://example.com#k1";alg="ed25519"')).toBe(
      'missing created parameter',
    );
    const prefix = 'sig=(@method);keyid="https://example.com#k1";alg="ed25519";created=';
    expect(parseSignatureInput(`${prefix}not-a-number`)).toBe(
      'invalid created timestamp: invalid digit found in string',
    );
    expect(parseSignatureInput(`${prefix}`)).toBe(
      'invalid created timestamp: cannot parse integer from empty string',
    );
    expect(parseSignatureInput(`${prefix}-`)).toBe(
      'invalid created timestamp: invalid digit found in string',
    );
    expect(parseSignatureInput(`${prefix}9223372036854775808`)).toBe(
      'invalid created timestamp: number too large to fit in target type',
    );
    expect(parseSignatureInput(`${prefix}-9223372036854775809`)).toBe(
      'invalid created timestamp: number too small to fit in target type',
    );
    expect(parseSignatureInput(`${prefix}-5`)).toBe('invalid created timestamp: negative value');
    expect(parseSignatureInput(`${prefix}+12`)).toMatchObject({ created: 12n });
    expect(parseSignatureInput(`${prefix}-0`)).toMatchObject({ created: 0n });
  });

  it('HTTPSIG-04 lenient parts: unquoted and duplicated components, unknown and repeated params, no-= pieces', () => {
    expect(
      parseSignatureInput(
        'sig=( @method  "host" ""@target-uri"" host );;nonce=abc;flag;keyid="a";keyid="b"";alg=ed25519;created=1',
      ),
    ).toEqual({
      coveredComponents: ['@method', 'host', '@target-uri', 'host'],
      keyId: 'b',
      algorithm: 'ed25519',
      created: 1n,
    });
    // A created error fires during the scan, before a missing keyid is noticed.
    expect(parseSignatureInput('sig=();created=x')).toBe(
      'invalid created timestamp: invalid digit found in string',
    );
  });
});

describe('HTTP message signatures (verification pipeline)', () => {
  it('HTTPSIG-05 HTTPSIG-06 HTTPSIG-10 error kinds and messages in pipeline order', async () => {
    const { privateKey, publicKey } = keyPair();
    const good = signed(privateKey);
    const withHeaders = (headers: Record<string, string>) => ({
      ...good,
      headers: { ...good.headers, ...headers },
    });
    const lookup = () => publicKey;
    const input = (rest: string) => `sig=("@method" "@target-uri" "host");keyid="${KEY_ID}";${rest}`;
    const created = good.headers['Signature-Input'].split('created=')[1] as string;

    const bad = withHeaders({ 'Signature-Input': 'nope' });
    await expect(verifyHttpSignature(bad, lookup)).rejects.toThrow(
      'invalid Signature-Input: expected sig= prefix',
    );
    const rsa = withHeaders({ 'Signature-Input': input(`alg="rsa-pss-sha512";created=${created}`) });
    await expect(verifyHttpSignature(rsa, lookup)).rejects.toThrow('unsupported algorithm: rsa-pss-sha512');
    const upper = withHeaders({ 'Signature-Input': input(`alg="Ed25519";created=${created}`) });
    expect(await kindOf(verifyHttpSignature(upper, lookup))).toBe('UnsupportedAlgorithm');
    const old = withHeaders({ 'Signature-Input': input('alg="ed25519";created=1') });
    expect(await kindOf(verifyHttpSignature(old, lookup))).toBe('SignatureExpired');
    const partial = withHeaders({
      'Signature-Input': `sig=("@method" "host");keyid="${KEY_ID}";alg="ed25519";created=${created}`,
    });
    await expect(verifyHttpSignature(partial, lookup)).rejects.toThrow(
      'required component "@target-uri" not covered',
    );
    for (const [value, message] of [
      ['sig=abc', 'expected sig=: prefix'],
      ['sig=:abc', 'expected trailing colon'],
      ['sig=:!!:', 'invalid base64 character'],
      ['sig=:AAAA:', 'malformed signature bytes'],
    ] as const) {
      await expect(verifyHttpSignature(withHeaders({ Signature: value }), lookup)).rejects.toThrow(
        `invalid Signature header: ${message}`,
      );
    }
  });

  it('HTTPSIG-06 key lookup errors pass through; other failures become KeyLookupFailed', async () => {
    const req = signed(keyPair().privateKey);
    const custom = new HttpSignatureError('KeyLookupFailed', 'unknown peer');
    await expect(
      verifyHttpSignature(req, () => {
        throw custom;
      }),
    ).rejects.toBe(custom);
    await expect(verifyHttpSignature(req, async () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'key lookup failed: db down',
    );
    await expect(verifyHttpSignature(req, () => new Uint8Array(5))).rejects.toMatchObject({
      kind: 'KeyLookupFailed',
    });
    // A key of another type cannot verify an Ed25519 signature: a failure, not a crash.
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(await kindOf(verifyHttpSignature(req, () => ecKey))).toBe('VerificationFailed');
    await expect(
      verifyHttpSignature(req, () => {
        throw 'text';
      }),
    ).rejects.toThrow('key lookup failed: text');
  });

  it('HTTPSIG-03 header sources: Node lower-case records, any-case records, arrays, WHATWG Headers, raw keys', async () => {
    const { privateKey, publicKey } = keyPair();
    const raw = ed25519PublicKeyBytes(publicKey);
    expect(Buffer.from(ed25519PublicKeyBytes(privateKey))).toEqual(Buffer.from(raw));
    const req = signed(privateKey);
    const lower = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), [v, 'ignored']]),
    );
    expect(await kindOf(verifyHttpSignature({ ...req, headers: lower }, () => raw))).toBe('ok');
    expect(await kindOf(verifyHttpSignature({ ...req, headers: new Headers(req.headers) }, () => raw))).toBe(
      'ok',
    );
    const nonAscii = {
      ...req,
      headers: { ...req.headers, 'Signature-Input': `${req.headers['Signature-Input']}é` },
    };
    expect(await kindOf(verifyHttpSignature(nonAscii, () => raw))).toBe('MissingSignatureInput');
  });

  it('HTTPSIG-02 HTTPSIG-03 extra covered headers are signed; unknown derived components read as empty', () => {
    const req: HttpRequestLike = {
      method: 'POST',
      url: '/p?q=1',
      headers: { Host: 'h.example', 'X-Thing': 'v', date: 'today' },
    };
    expect(
      signatureBase(
        req,
        ['@method', '@target-uri', 'host', 'x-thing', 'DATE', '@path', 'missing'],
        'k',
        5n,
        't',
      ),
    ).toBe(
      [
        '"@method": POST',
        '"@target-uri": t',
        '"host": h.example',
        '"x-thing": v',
        '"DATE": today',
        '"@path": ',
        '"missing": ',
        '"@signature-params": ("@method" "@target-uri" "host" "x-thing" "DATE" "@path" "missing");keyid="k";alg="ed25519";created=5',
      ].join('\n'),
    );
  });

  it('HTTPSIG-03 @target-uri and host fallbacks', async () => {
    const { privateKey, publicKey } = keyPair();
    // No Host header: the absolute URI's authority is the host; an empty path renders as "/".
    const noHost = { method: 'GET', url: 'wss://peer.example.com:8443?x=1', headers: {} };
    const req = { ...noHost, headers: signHttpRequest(noHost, privateKey, KEY_ID) };
    const params = await verifyHttpSignature(req, () => publicKey);
    expect(params.targetUri).toBe('wss://peer.example.com:8443/?x=1');
    // Origin-form target and no host at all: the target is used as is.
    const bare = { method: 'GET', url: '/only/path', headers: {} };
    const bareSigned = { ...bare, headers: signHttpRequest(bare, privateKey, KEY_ID) };
    expect((await verifyHttpSignature(bareSigned, () => publicKey)).targetUri).toBe('/only/path');
  });

  it('HTTPSIG-01 keyids that cannot round-trip through the header are refused at signing', () => {
    const { privateKey } = keyPair();
    for (const keyId of ['', 'a"b', 'a;b', 'ké', 'a\nb']) {
      expect(() => signHttpRequest(request(), privateKey, keyId), keyId).toThrow(HttpSignatureError);
    }
  });

  it('HTTPSIG-01 HTTPSIG-02 TV-HTTPSIG derived vector, byte for byte (cross-checked with @noble/ed25519)', async () => {
    const seed = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const publicHex = '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8';
    expect(Buffer.from(ed25519PublicKeyBytes(seed)).toString('hex')).toBe(publicHex);
    const headers = signHttpRequest(request(), seed, KEY_ID, { now: () => 1_700_000_000_000 });
    const input = `sig=("@method" "@target-uri" "host");keyid="${KEY_ID}";alg="ed25519";created=1700000000`;
    const signature =
      'sig=:4BE3yyC7CA6FDI7iI1MBzwbryrQPzhjEfF1JBFaax1j7qlFCt7uXiae44gzMgr5ccKJ3qVzLfvZweZdnm6ktDQ==:';
    expect(headers).toEqual({ 'Signature-Input': input, Signature: signature });
    const base = [
      '"@method": GET',
      `"@target-uri": ${URL_}`,
      '"host": server.example.com',
      `"@signature-params": ("@method" "@target-uri" "host");keyid="${KEY_ID}";alg="ed25519";created=1700000000`,
    ].join('\n');
    expect(signatureBase(request(), ['@method', '@target-uri', 'host'], KEY_ID, 1_700_000_000n, URL_)).toBe(
      base,
    );
    expect(Buffer.from(await ed.getPublicKeyAsync(seed)).toString('hex')).toBe(publicHex);
    const independent = Buffer.from(await ed.signAsync(Buffer.from(base), seed)).toString('base64');
    expect(`sig=:${independent}:`).toBe(signature);
    const verified = await verifyHttpSignature(
      { ...request(), headers: { host: 'server.example.com', ...headers } },
      () => Buffer.from(publicHex, 'hex'),
      { now: () => 1_700_000_299_000 },
    );
    expect(verified).toMatchObject({ created: 1_700_000_000, keyId: KEY_ID });
  });
});

describe('R16 federation @target-uri reconstruction', () => {
  const peerUrl = 'wss://sync.example.com/api/v1/federation/ws';

  /** What a Node server sees for an upgrade: origin-form target and the Host header. */
  function asReceived(
    signedUrl: string,
    privateKey: Parameters<typeof signHttpRequest>[1],
    host = 'sync.example.com',
  ) {
    const dialled = { method: 'GET', url: signedUrl, headers: { host } };
    const headers = signHttpRequest(dialled, privateKey, KEY_ID);
    return { method: 'GET', url: '/api/v1/federation/ws', headers: { host, ...headers } };
  }

  it('R16 a wss:// signature fails the reference reconstruction but verifies with the federation schemes', async () => {
    const { privateKey, publicKey } = keyPair();
    const received = asReceived(peerUrl, privateKey);
    expect(await kindOf(verifyHttpSignature(received, () => publicKey))).toBe('VerificationFailed');
    const options: VerifyHttpSignatureOptions = { targetUriSchemes: FEDERATION_TARGET_URI_SCHEMES };
    expect((await verifyHttpSignature(received, () => publicKey, options)).targetUri).toBe(peerUrl);
  });

  it('R16 a ws:// signature (loopback peers, the reference client) still verifies', async () => {
    const { privateKey, publicKey } = keyPair();
    const received = asReceived('ws://127.0.0.1:5002/api/v1/federation/ws', privateKey, '127.0.0.1:5002');
    const options = { targetUriSchemes: FEDERATION_TARGET_URI_SCHEMES };
    expect((await verifyHttpSignature(received, () => publicKey, options)).targetUri).toBe(
      'ws://127.0.0.1:5002/api/v1/federation/ws',
    );
  });

  it('R16 the configured public URL supplies the scheme (https → wss) and authority of @target-uri', async () => {
    const { privateKey, publicKey } = keyPair();
    const received = asReceived(peerUrl, privateKey);
    // Only ws:// configured: the wss:// signature fails, until the public URL adds its wss:// candidate.
    expect(await kindOf(verifyHttpSignature(received, () => publicKey, { targetUriSchemes: ['ws'] }))).toBe(
      'VerificationFailed',
    );
    const options = { targetUriSchemes: ['ws'], publicUrls: ['https://sync.example.com', 'not a url'] };
    expect((await verifyHttpSignature(received, () => publicKey, options)).targetUri).toBe(peerUrl);
    // http:// maps to ws://, which is not what this peer signed.
    const plain = { publicUrls: ['http://sync.example.com'] };
    expect(await kindOf(verifyHttpSignature(received, () => publicKey, plain))).toBe('VerificationFailed');
  });

  it('R16 tampering with method, path or host still fails under every candidate', async () => {
    const { privateKey, publicKey } = keyPair();
    const received = asReceived(peerUrl, privateKey);
    const options = {
      targetUriSchemes: FEDERATION_TARGET_URI_SCHEMES,
      publicUrls: ['https://sync.example.com'],
    };
    for (const tampered of [
      { ...received, method: 'POST' },
      { ...received, url: '/api/v1/federation/ws?x' },
      { ...received, headers: { ...received.headers, host: 'evil.example.com' } },
    ]) {
      expect(await kindOf(verifyHttpSignature(tampered, () => publicKey, options))).toBe(
        'VerificationFailed',
      );
    }
  });
});
