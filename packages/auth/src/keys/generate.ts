/**
 * Fresh signing keys without `generateKeyPairSync`. On Node 20, a key pair from a generation job shares a
 * lock with that job; exporting the key (as JWK, for a JWKS or a did:key) holds the lock while it allocates,
 * and a collection that frees the finished job at that moment takes the same lock: the process hangs for
 * good. These build the keys from fresh random material instead, so no job exists to be freed.
 */
import { createECDH, createPrivateKey, createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { ed25519PublicKeyBytes } from '../httpsig/keys.js';

const P256_COORDINATE_BYTES = 32;

/** A P-256 pair and its public point's affine coordinates (32 bytes each). */
export interface P256KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly x: Uint8Array;
  readonly y: Uint8Array;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** Left-pads a big-endian integer to the coordinate size a JWK requires. */
function padded(bytes: Buffer): Buffer {
  if (bytes.length >= P256_COORDINATE_BYTES) return bytes;
  return Buffer.concat([Buffer.alloc(P256_COORDINATE_BYTES - bytes.length), bytes]);
}

/** A new ES256 key pair from the OS random source. */
export function generateP256KeyPair(): P256KeyPair {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const point = ecdh.getPublicKey(); // 0x04 ‖ x ‖ y
  const x = point.subarray(1, 1 + P256_COORDINATE_BYTES);
  const y = point.subarray(1 + P256_COORDINATE_BYTES);
  const d = padded(ecdh.getPrivateKey());
  const privateKey = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(x), y: b64url(y), d: b64url(d) },
    format: 'jwk',
  });
  return { privateKey, publicKey: createPublicKey(privateKey), x: new Uint8Array(x), y: new Uint8Array(y) };
}

/** A new Ed25519 key as its 32-byte seed and 32-byte public key. */
export function generateEd25519Seed(): { readonly seed: Uint8Array; readonly publicKey: Uint8Array } {
  const seed = new Uint8Array(randomBytes(32));
  return { seed, publicKey: new Uint8Array(ed25519PublicKeyBytes(seed)) };
}
