import { createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalizeDomain, extractDomainFromKeyId, isEd25519Point } from '@less-sync/auth';

/** One `FEDERATION_TRUSTED_KEYS` entry as configuration parsed it. */
export interface TrustedPeerKey {
  readonly keyId: string;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

/** FED-WS-04/05: the static trust map and the trusted-domain gate, fixed for the process lifetime. */
export interface FederationTrust {
  /** Exact keyid (fragment included) → key. */
  readonly keys: ReadonlyMap<string, KeyObject>;
  /** Canonical trusted domains (sorted). */
  readonly trustedDomains: readonly string[];
}

/**
 * Builds the trust map. A key that is not an Ed25519 point fails here, at start, with the reference's
 * message; an empty `trustedDomains` becomes the keys' domains (FED-KEY-05).
 */
export function buildFederationTrust(
  keys: readonly TrustedPeerKey[],
  trustedDomains: readonly string[],
): FederationTrust {
  const map = new Map<string, KeyObject>();
  const keyDomains = new Set<string>();
  for (const { keyId, publicKey } of keys) {
    let key: KeyObject;
    try {
      if (!isEd25519Point(publicKey)) throw new RangeError('not an Ed25519 point');
      key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
        format: 'jwk',
      });
    } catch {
      throw new Error(`invalid federation key bytes for ${JSON.stringify(keyId)}`);
    }
    map.set(keyId, key);
    keyDomains.add(canonicalizeDomain(extractDomainFromKeyId(keyId)));
  }
  const domains = trustedDomains.length > 0 ? trustedDomains.map(canonicalizeDomain) : [...keyDomains];
  return { keys: map, trustedDomains: [...new Set(domains)].sort() };
}
