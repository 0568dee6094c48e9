import { decodeBase64Url } from '../encoding/base64.js';
import { asObject, ClaimTypeError, optionalString } from '../encoding/claims.js';
import { JsonError, JsonObject, parseJsonBytes } from '../encoding/json.js';

/**
 * Compact JWS handling shared by JWTs and UCANs (JWS-01, JWS-03). Only parsing lives here; the
 * signature is verified by the caller once it has chosen a key.
 */

/** Every `alg` name the reference's JOSE library knows; anything else makes a header unparseable. */
export const KNOWN_JWS_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'ES256',
  'ES384',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
export type KnownJwsAlgorithm = (typeof KNOWN_JWS_ALGORITHMS)[number];

export interface JwsHeader {
  readonly alg: KnownJwsAlgorithm;
  readonly kid: string | undefined;
}

export class JwsFormatError extends Error {
  override readonly name = 'JwsFormatError';
}

export interface CompactParts {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
  /** ASCII `header.payload` exactly as it appears in the token. */
  readonly signingInput: string;
}

/** Exactly three `.`-separated segments; more or fewer is never a valid compact JWS. */
export function splitCompact(token: string): CompactParts {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) {
    throw new JwsFormatError('expected three segments');
  }
  return {
    header: token.slice(0, first),
    payload: token.slice(first + 1, second),
    signature: token.slice(second + 1),
    signingInput: token.slice(0, second),
  };
}

const STRING_MEMBERS = new Set([
  'typ',
  'cty',
  'jku',
  'kid',
  'x5u',
  'x5t',
  'x5t#S256',
  'url',
  'nonce',
  'enc',
  'zip',
]);
const STRING_ARRAY_MEMBERS = new Set(['x5c', 'crit']);

/**
 * Decodes and type-checks a protected header: `alg` must be a known name, known members have their
 * JOSE types (`null` meaning absent), and any other member must be a string (so `"b64": false`, for
 * example, is refused). `typ` and `crit` are not interpreted.
 */
export function parseHeader(segment: string): JwsHeader {
  const object = decodeSegmentObject(segment);
  if (object.duplicates !== undefined) throw new JwsFormatError('duplicate header member');
  let alg: KnownJwsAlgorithm | undefined;
  for (const [name, value] of object.fields) {
    if (name === 'alg') {
      if (typeof value !== 'string' || !(KNOWN_JWS_ALGORITHMS as readonly string[]).includes(value)) {
        throw new JwsFormatError('unknown alg');
      }
      alg = value as KnownJwsAlgorithm;
    } else if (STRING_MEMBERS.has(name)) {
      if (value !== null && typeof value !== 'string') throw new JwsFormatError(`${name} must be a string`);
    } else if (STRING_ARRAY_MEMBERS.has(name)) {
      if (value !== null && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
        throw new JwsFormatError(`${name} must be an array of strings`);
      }
    } else if (name === 'jwk') {
      if (value !== null && !(value instanceof JsonObject)) throw new JwsFormatError('jwk must be an object');
    } else if (typeof value !== 'string') {
      throw new JwsFormatError(`unknown header member ${name} must be a string`);
    }
  }
  if (alg === undefined) throw new JwsFormatError('missing alg');
  const kid = object.fields.get('kid');
  return { alg, kid: typeof kid === 'string' ? kid : undefined };
}

/** Strict base64url → strict UTF-8 → strict JSON → must be an object. */
export function decodeSegmentObject(segment: string): JsonObject {
  try {
    return asObject(parseJsonBytes(decodeBase64Url(segment)));
  } catch (error) {
    if (error instanceof JsonError || error instanceof ClaimTypeError)
      throw new JwsFormatError(error.message);
    throw new JwsFormatError('invalid base64url segment');
  }
}

/**
 * The unverified `iss` pre-read (JWS-03): the payload's `iss` chooses the verification key before
 * the signature is checked. Returns undefined when `iss` is absent or null; a malformed payload or
 * a non-string `iss` throws.
 */
export function readUnverifiedIssuer(payload: JsonObject): string | undefined {
  try {
    return optionalString(payload, 'iss');
  } catch (error) {
    throw new JwsFormatError((error as Error).message);
  }
}
