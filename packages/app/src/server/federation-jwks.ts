import { createPublicKey } from 'node:crypto';
import type { FederationJwk } from '@less-sync/api';
import type { Storage } from '@less-sync/storage';

/**
 * FED-KEY-02 / HTTP-10: the active federation signing keys as published JWKs, read once at start.
 * A stored key that is not a 32-byte Ed25519 public key stops the start.
 */
export async function loadFederationJwks(
  storage: Pick<Storage, 'listFederationPublicKeys'>,
): Promise<FederationJwk[]> {
  const keys = await storage.listFederationPublicKeys();
  return keys.map(({ kid, publicKey }) => {
    if (publicKey.length !== 32)
      throw new Error(`stored federation public key ${JSON.stringify(kid)} is not 32 bytes`);
    const x = Buffer.from(publicKey).toString('base64url');
    try {
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    } catch {
      throw new Error(`stored federation public key ${JSON.stringify(kid)} is invalid`);
    }
    return { kid, kty: 'OKP', alg: 'EdDSA', use: 'federation', crv: 'Ed25519', x };
  });
}
