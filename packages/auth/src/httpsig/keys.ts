import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 private key from a 32-byte seed, or a KeyObject as is. */
export function ed25519PrivateKey(key: Uint8Array | KeyObject): KeyObject {
  if (!(key instanceof Uint8Array)) return key;
  if (key.byteLength !== 32) throw new RangeError('Ed25519 private key must be a 32-byte seed');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, key]), format: 'der', type: 'pkcs8' });
}

/** An Ed25519 public key from its 32 raw bytes, or a KeyObject as is. */
export function ed25519PublicKey(key: Uint8Array | KeyObject): KeyObject {
  if (!(key instanceof Uint8Array)) return key;
  if (key.byteLength !== 32) throw new RangeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key).toString('base64url') },
    format: 'jwk',
  });
}

/** The 32 raw public-key bytes of an Ed25519 key (private or public). */
export function ed25519PublicKeyBytes(key: Uint8Array | KeyObject): Uint8Array {
  const object =
    key instanceof Uint8Array
      ? createPublicKey(ed25519PrivateKey(key))
      : key.type === 'public'
        ? key
        : createPublicKey(key);
  const jwk = object.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}
