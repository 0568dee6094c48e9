import { describe, expect, it } from 'vitest';
import { computeUcanCid, parseUcan, UcanError } from '../src/index.js';
import { hoursFromNow, signUcan, TEST_RESOURCE, TestIssuer } from './helpers/ucan-issuer.js';

describe('UCAN parsing', () => {
  it('UCAN-01 UCAN-02 UCAN-03 JWS-02 JWS-03 parse_ucan_valid', () => {
    const issuer = new TestIssuer();
    const bearer = new TestIssuer();
    const raw = issuer.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'abc123', exp: hoursFromNow(1) });
    const parsed = parseUcan(raw);
    expect(parsed.claims.iss).toBe(issuer.did);
    expect(parsed.claims.cmd).toBe('/space/write');
    expect(parsed.claims.with).toBe(TEST_RESOURCE);
    expect(parsed.claims.prf).toEqual([]);
    expect(parsed.claims.nbf).toBeUndefined();
    expect(parsed.raw).toBe(raw);
    expect(Buffer.from(parsed.publicKey.compressed)).toEqual(Buffer.from(issuer.compressedPublicKey));
  });

  it('UCAN-03 UCAN-15 parse_ucan_invalid_signature: signed by another key', () => {
    const issuer = new TestIssuer();
    const other = new TestIssuer();
    const bearer = new TestIssuer();
    const signed = signUcan(
      {
        iss: issuer.did,
        aud: bearer.did,
        exp: hoursFromNow(1),
        nbf: null,
        cmd: '/space/read',
        with: TEST_RESOURCE,
        nonce: 'abc',
        prf: [],
      },
      other.privateKey,
    );
    expect(() => parseUcan(signed)).toThrow(UcanError);
    expect(() => parseUcan(signed)).toThrow('invalid UCAN');
  });

  it('UCAN-02 UCAN-03 JWS-01 JWS-03 JWS-04 malformed tokens are InvalidUcan', () => {
    const issuer = new TestIssuer();
    const claims = {
      iss: issuer.did,
      aud: 'x',
      exp: hoursFromNow(1),
      cmd: '/space/read',
      with: TEST_RESOURCE,
      nonce: 'n',
    };
    const good = signUcan(claims, issuer.privateKey);
    const [h, p, s] = good.split('.') as [string, string, string];
    const cases = [
      '',
      `${h}.${p}`,
      `${good}.extra`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s.slice(0, -2)}`,
      signUcan(claims, issuer.privateKey, '{"alg":"ES384"}'),
      signUcan(claims, issuer.privateKey, '{"alg":"none"}'),
      signUcan(claims, issuer.privateKey, '{"typ":"JWT"}'),
      signUcan(claims, issuer.privateKey, '{"alg":"ES256","b64":false}'),
      signUcan(claims, issuer.privateKey, '{"alg":"ES256","alg":"ES256"}'),
      signUcan({ ...claims, iss: undefined }, issuer.privateKey),
      signUcan({ ...claims, iss: null }, issuer.privateKey),
      signUcan({ ...claims, iss: 7 }, issuer.privateKey),
      signUcan({ ...claims, iss: 'did:web:example.com' }, issuer.privateKey),
      signUcan({ ...claims, cmd: null }, issuer.privateKey),
      signUcan({ ...claims, exp: 1.5 }, issuer.privateKey),
      signUcan({ ...claims, prf: null }, issuer.privateKey),
      signUcan({ ...claims, aud: 3 }, issuer.privateKey),
    ];
    for (const token of cases) {
      expect(() => parseUcan(token), token).toThrow(UcanError);
    }
    // Known header members typed as the JOSE library types them; null means absent.
    expect(
      parseUcan(signUcan(claims, issuer.privateKey, '{"alg":"ES256","kid":null,"crit":["x"],"x":"y"}')).raw,
    ).toBeTypeOf('string');
    expect(() => parseUcan(signUcan(claims, issuer.privateKey, '{"alg":"ES256","kid":1}'))).toThrow(
      UcanError,
    );
    expect(() => parseUcan(signUcan(claims, issuer.privateKey, '{"alg":"ES256","x5c":[1]}'))).toThrow(
      UcanError,
    );
    expect(() => parseUcan(signUcan(claims, issuer.privateKey, '{"alg":"ES256","jwk":"k"}'))).toThrow(
      UcanError,
    );
    expect(
      parseUcan(signUcan(claims, issuer.privateKey, '{"alg":"ES256","jwk":{"kty":"EC"}}')).raw,
    ).toBeTypeOf('string');
  });

  it('UCAN-04 compute_ucan_cid_deterministic and _different_tokens (TV-UCAN)', () => {
    const token = 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.test.payload';
    expect(computeUcanCid(token)).toBe(computeUcanCid(token));
    expect(computeUcanCid(token)).toBe('08410dc483b1eb61136fbbd7346cc1e8baf29ff1922a4bd0716729000920aee8');
    expect(computeUcanCid('token-a')).toBe(
      'a70bf50e531ce1a817561f2f5d5b6645d4e806becf58ccc5e8cf6b8045a090a8',
    );
    expect(computeUcanCid('token-b')).toBe(
      '49e2bb7eab54cf09b409ffafd3fa8a8a955a60eb972faacaefbed3dbd3207132',
    );
  });
});
