/** FED-KEY-02: what makes a stored signing key usable, with the reference's messages. */
import { createPublicKey } from 'node:crypto';
import type { FederationJwk } from '@less-sync/api';
import { ed25519PublicKeyBytes, isEd25519Point } from '@less-sync/auth';
import type { FederationKey, FederationSigningKey } from '@less-sync/storage';

export class FederationKeyError extends Error {
  override readonly name = 'FederationKeyError';
}

/** The JWK of one stored public key; throws `FederationKeyError` when it is not an Ed25519 key. */
export function storedKeyJwk({ kid, publicKey }: FederationKey): FederationJwk {
  if (publicKey.length !== 32) {
    throw new FederationKeyError(`stored federation public key ${JSON.stringify(kid)} is not 32 bytes`);
  }
  const x = Buffer.from(publicKey).toString('base64url');
  if (!isEd25519Point(publicKey)) {
    throw new FederationKeyError(`stored federation public key ${JSON.stringify(kid)} is invalid`);
  }
  // Node would accept the key on use anyway; importing it once proves it is usable there too.
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  return { kid, kty: 'OKP', alg: 'EdDSA', use: 'federation', crv: 'Ed25519', x };
}

/** The primary key must be a 32-byte seed whose public key is the stored one. */
export function checkSigningKey(key: FederationSigningKey): void {
  if (key.privateKey.length !== 32) {
    throw new FederationKeyError(`stored federation private key ${JSON.stringify(key.kid)} is not 32 bytes`);
  }
  const derived = ed25519PublicKeyBytes(key.privateKey);
  if (Buffer.compare(Buffer.from(derived), Buffer.from(key.publicKey)) !== 0) {
    throw new FederationKeyError(`stored federation key pair mismatch for ${JSON.stringify(key.kid)}`);
  }
}
