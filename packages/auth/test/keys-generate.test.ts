import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeDidKey, generateEd25519Seed, generateP256KeyPair } from '../src/index.js';

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

describe('key generation without a generation job (Node 20 export deadlock)', () => {
  it('generateP256KeyPair: an ES256 pair whose coordinates are the public key', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pair = generateP256KeyPair();
      expect(pair.privateKey.asymmetricKeyType).toBe('ec');
      expect(pair.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(pair.publicKey.type).toBe('public');
      expect(pair.x.length).toBe(32);
      expect(pair.y.length).toBe(32);
      const jwk = pair.publicKey.export({ format: 'jwk' });
      expect(Buffer.from(pair.x).toString('base64url')).toBe(jwk.x);
      expect(Buffer.from(pair.y).toString('base64url')).toBe(jwk.y);
      const data = Buffer.from(`message ${i}`);
      const signature = sign('sha256', data, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify('sha256', data, { key: pair.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(
        true,
      );
      seen.add(String(jwk.x));
    }
    // Fresh randomness every time.
    expect(seen.size).toBe(50);
  });

  it('generateP256KeyPair: the coordinates make a valid did:key', () => {
    const { x, y } = generateP256KeyPair();
    const compressed = Uint8Array.from([(y.at(-1) ?? 0) % 2 === 0 ? 2 : 3, ...x]);
    expect(encodeDidKey(compressed)).toMatch(/^did:key:zDn/);
  });

  it('generateEd25519Seed: the public key belongs to the seed', () => {
    const { seed, publicKey } = generateEd25519Seed();
    expect(seed.length).toBe(32);
    expect(publicKey.length).toBe(32);
    const privateKey = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    expect(Buffer.from(publicKey).toString('base64url')).toBe(jwk.x);
    expect(generateEd25519Seed().seed).not.toEqual(seed);
  });
});
