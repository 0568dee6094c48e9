import { createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalizeDomain, extractDomainFromKeyId } from '@less-sync/auth';

const P = (1n << 255n) - 19n;

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % P;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

const D = ((((-121665n % P) + P) % P) * modPow(121666n, P - 2n)) % P;

/**
 * RFC 8032 §5.1.3 decoding: true when the 32 bytes decompress to a curve point. Node imports any 32
 * bytes as an Ed25519 key, so a mistyped key would otherwise only show up as failing signatures.
 */
export function isEd25519Point(bytes: Uint8Array): boolean {
  if (bytes.byteLength !== 32) return false;
  const sign = (bytes[31] ?? 0) >> 7;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? (bytes[i] ?? 0) & 0x7f : (bytes[i] ?? 0));
  if (y >= P) return false;
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (D * y2 + 1n) % P;
  const x2 = (u * modPow(v, P - 2n)) % P;
  if (x2 === 0n) return sign === 0;
  return modPow(x2, (P - 1n) / 2n) === 1n;
}

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
