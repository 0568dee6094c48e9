import { constants, type KeyObject, verify } from 'node:crypto';

/**
 * Signature verification for the JWS algorithms less-sync accepts (R13). Everything goes through
 * node:crypto (OpenSSL): it is ~30x faster than pure-JS P-256, and OpenSSL's ECDSA accepts high-S
 * signatures, which the reference (and browser WebCrypto signers) produce about half of the time.
 */

export const JWT_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export function isJwtAlgorithm(value: string): value is JwtAlgorithm {
  return (JWT_ALGORITHMS as readonly string[]).includes(value);
}

/** Raw r‖s (IEEE P1363) lengths of JWS ECDSA signatures; any other length is refused up front. */
const FIXED_SIGNATURE_LENGTH: Partial<Record<JwtAlgorithm, number>> = { ES256: 64, ES384: 96, EdDSA: 64 };

export function verifyJws(
  alg: JwtAlgorithm,
  key: KeyObject,
  signingInput: string | Uint8Array,
  signature: Uint8Array,
): boolean {
  const expectedLength = FIXED_SIGNATURE_LENGTH[alg];
  if (expectedLength !== undefined && signature.byteLength !== expectedLength) return false;
  const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'utf8') : signingInput;
  try {
    switch (alg) {
      case 'ES256':
        return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'ES384':
        return verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'EdDSA':
        return verify(null, data, key, signature);
      case 'RS256':
        return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'PS256':
        return verify(
          'sha256',
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
          signature,
        );
    }
  } catch {
    // A key of the wrong type for the algorithm, or an unparsable signature: not valid.
    return false;
  }
}
