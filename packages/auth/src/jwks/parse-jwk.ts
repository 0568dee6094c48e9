import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { Point as Ed25519Point } from '@noble/ed25519';
import { decodeBase64Url } from '../encoding/base64.js';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../jws/verify.js';
import { JwksError } from './errors.js';

/** A usable verification key from a JWKS, with the JWS algorithms it may verify. */
export interface VerificationKey {
  readonly kid: string;
  readonly key: KeyObject;
  readonly algorithms: readonly JwtAlgorithm[];
}

/** RSA moduli below this are refused; 2048 bits is the floor every current guideline sets. */
const MIN_RSA_BITS = 2048;

type JwkRecord = Readonly<Record<string, unknown>>;

/**
 * Turns one JWK into a verification key (JWKS-02, widened by R13 to EC P-256/P-384, RSA and
 * Ed25519). Throws a JwksError naming why the key is unusable; the JWKS client skips such keys.
 * Coordinates must have their exact curve length: the reference pads short ones and then can never
 * verify with them, so refusing them up front is the same outcome, reported earlier.
 */
export function parseJwk(jwk: unknown, accepted: readonly JwtAlgorithm[] = JWT_ALGORITHMS): VerificationKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new JwksError('InvalidKey', 'JWK must be an object');
  }
  const record = jwk as JwkRecord;
  const kty = record.kty;
  let parsed: { key: KeyObject; family: readonly JwtAlgorithm[] };
  switch (kty) {
    case 'EC':
      parsed = parseEc(record);
      break;
    case 'RSA':
      parsed = parseRsa(record);
      break;
    case 'OKP':
      parsed = parseOkp(record);
      break;
    default:
      throw new JwksError('UnsupportedKeyType', `unsupported key type: ${String(kty)}`, {
        detail: String(kty),
      });
  }
  checkUse(record);
  const algorithms = selectAlgorithms(record.alg, parsed.family, accepted);
  if (typeof record.kid !== 'string') throw new JwksError('MissingKid', 'JWK has no kid');
  return { kid: record.kid, key: parsed.key, algorithms };
}

function checkUse(record: JwkRecord): void {
  if (record.use !== undefined && record.use !== 'sig') {
    throw new JwksError('UnsupportedUse', `JWK use is not sig: ${String(record.use)}`);
  }
  const ops = record.key_ops;
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) {
    throw new JwksError('UnsupportedUse', 'JWK key_ops does not allow verify');
  }
}

function selectAlgorithms(
  alg: unknown,
  family: readonly JwtAlgorithm[],
  accepted: readonly JwtAlgorithm[],
): readonly JwtAlgorithm[] {
  const allowed = family.filter((candidate) => accepted.includes(candidate));
  if (alg === undefined) {
    if (allowed.length === 0)
      throw new JwksError('UnsupportedAlgorithm', 'no accepted algorithm for this key');
    return allowed;
  }
  const match = allowed.find((candidate) => candidate === alg);
  if (match === undefined) {
    throw new JwksError('UnsupportedAlgorithm', `unsupported algorithm: ${String(alg)}`, {
      detail: String(alg),
    });
  }
  return [match];
}

const EC_CURVES: Readonly<Record<string, { size: number; alg: JwtAlgorithm }>> = {
  'P-256': { size: 32, alg: 'ES256' },
  'P-384': { size: 48, alg: 'ES384' },
};

function parseEc(record: JwkRecord): { key: KeyObject; family: readonly JwtAlgorithm[] } {
  const crv = record.crv;
  const curve = typeof crv === 'string' ? EC_CURVES[crv] : undefined;
  if (curve === undefined) {
    throw new JwksError('UnsupportedCurve', `unsupported curve: ${String(crv)}`, { detail: String(crv) });
  }
  const x = decodeCoordinate(record.x, 'InvalidXCoordinate', 'X');
  const y = decodeCoordinate(record.y, 'InvalidYCoordinate', 'Y');
  checkCoordinateSize(x, curve.size);
  checkCoordinateSize(y, curve.size);
  try {
    return {
      key: createPublicKey({ key: { kty: 'EC', crv: crv as string, x, y }, format: 'jwk' }),
      family: [curve.alg],
    };
  } catch (error) {
    throw new JwksError('PointNotOnCurve', 'invalid EC point: not on curve', { cause: error });
  }
}

function parseOkp(record: JwkRecord): { key: KeyObject; family: readonly JwtAlgorithm[] } {
  if (record.crv !== 'Ed25519') {
    throw new JwksError('UnsupportedCurve', `unsupported curve: ${String(record.crv)}`, {
      detail: String(record.crv),
    });
  }
  const x = decodeCoordinate(record.x, 'InvalidXCoordinate', 'X');
  checkCoordinateSize(x, 32);
  // OpenSSL imports any 32 bytes; refuse encodings that are not a curve point, as the reference's
  // ed25519-dalek does when it decompresses a verifying key.
  try {
    Ed25519Point.fromBytes(decodeBase64Url(x));
  } catch (error) {
    throw new JwksError('InvalidKey', 'invalid Ed25519 key: not a curve point', { cause: error });
  }
  return {
    key: importJwk({ kty: 'OKP', crv: 'Ed25519', x }, 'InvalidKey', 'invalid Ed25519 key'),
    family: ['EdDSA'],
  };
}

function parseRsa(record: JwkRecord): { key: KeyObject; family: readonly JwtAlgorithm[] } {
  const n = strictMember(record.n, 'n');
  const e = strictMember(record.e, 'e');
  const modulus = decodeBase64Url(n);
  let leading = 0;
  while (leading < modulus.byteLength && modulus[leading] === 0) leading++;
  const bits = (modulus.byteLength - leading) * 8;
  if (bits < MIN_RSA_BITS) throw new JwksError('WeakKey', `RSA modulus too small: ${bits} bits`);
  const exponentHex = decodeBase64Url(e).toString('hex');
  const exponent = exponentHex === '' ? 0n : BigInt(`0x${exponentHex}`);
  if (exponent < 3n || exponent % 2n === 0n) throw new JwksError('InvalidKey', 'invalid RSA public exponent');
  return {
    key: importJwk({ kty: 'RSA', n, e }, 'InvalidKey', 'invalid RSA key'),
    family: ['RS256', 'PS256'],
  };
}

function importJwk(jwk: JsonWebKey, kind: 'PointNotOnCurve' | 'InvalidKey', message: string): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    throw new JwksError(kind, message, { cause: error });
  }
}

function strictMember(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new JwksError('InvalidKey', `JWK ${name} must be a string`);
  try {
    decodeBase64Url(value);
  } catch (error) {
    throw new JwksError('InvalidKey', `JWK ${name} is not base64url`, { cause: error });
  }
  return value;
}

/** Returns the coordinate text, known to be strict base64url. */
function decodeCoordinate(
  value: unknown,
  kind: 'InvalidXCoordinate' | 'InvalidYCoordinate',
  label: 'X' | 'Y',
): string {
  try {
    if (typeof value !== 'string') throw new TypeError('not a string');
    decodeBase64Url(value);
    return value;
  } catch (error) {
    throw new JwksError(kind, `failed to decode ${label} coordinate: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function checkCoordinateSize(text: string, size: number): void {
  // Strict unpadded base64url: 4 characters per 3 bytes, the remainder is 2 or 3 characters.
  const length = Math.floor((text.length * 3) / 4);
  if (length > size) {
    throw new JwksError('CoordinateTooLarge', `invalid EC point: coordinate larger than ${size} bytes`);
  }
  if (length < size) {
    throw new JwksError('CoordinateTooShort', `invalid EC point: coordinate shorter than ${size} bytes`);
  }
}
