import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeDidKey, type P256PublicKey } from '../didkey/didkey.js';
import { decodeBase64Url, encodeBase64Url } from '../encoding/base64.js';
import {
  type Audience,
  optionalAudience,
  optionalU64,
  stringArrayOrEmpty,
  stringOrEmpty,
} from '../encoding/claims.js';
import type { JsonObject } from '../encoding/json.js';
import { decodeSegmentObject, parseHeader, readUnverifiedIssuer, splitCompact } from '../jws/compact.js';
import { verifyJws } from '../jws/verify.js';
import { UcanError } from './errors.js';

/** UCAN payload (UCAN-02): inline proofs in `prf`, no `att`/`can`/`ucv`. */
export interface UcanClaims {
  readonly iss: string;
  readonly aud: Audience | undefined;
  readonly exp: bigint | undefined;
  readonly nbf: bigint | undefined;
  readonly cmd: string;
  readonly with: string;
  readonly nonce: string;
  readonly prf: readonly string[];
}

export interface ParsedUcan {
  readonly claims: UcanClaims;
  /** The issuer's key, from its did:key. */
  readonly publicKey: P256PublicKey;
  /** The token exactly as given. */
  readonly raw: string;
}

/** Resolves a did:key to a verification key; lets a caller cache decoded keys. */
export type IssuerKeyResolver = (did: string) => { publicKey: P256PublicKey; key: KeyObject };

/** UCAN-04: lowercase hex SHA-256 of the raw token text (the revocation id, not an IPLD CID). */
export function computeUcanCid(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

/** did:key → verification key. JWK import is the cheapest way into OpenSSL (about half of SPKI's cost). */
export const resolveIssuerKey: IssuerKeyResolver = (did) => {
  const publicKey = decodeDidKey(did);
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: encodeBase64Url(publicKey.uncompressed.subarray(1, 33)),
      y: encodeBase64Url(publicKey.uncompressed.subarray(33, 65)),
    },
    format: 'jwk',
  });
  return { publicKey, key };
};

/**
 * UCAN-03: header (alg must be ES256), unverified `iss` → P-256 did:key → ES256 signature → typed
 * claims. No time, audience, resource, command or nonce checks happen here. Every failure is
 * `InvalidUcan`.
 */
export function parseUcan(raw: string, resolveKey: IssuerKeyResolver = resolveIssuerKey): ParsedUcan {
  let parts: ReturnType<typeof splitCompact>;
  let payload: JsonObject;
  let issuer: string | undefined;
  try {
    parts = splitCompact(raw);
    if (parseHeader(parts.header).alg !== 'ES256') throw new UcanError('InvalidUcan', 'alg must be ES256');
    payload = decodeSegmentObject(parts.payload);
    issuer = readUnverifiedIssuer(payload);
  } catch (error) {
    throw invalid('malformed token', error);
  }
  if (issuer === undefined) throw new UcanError('InvalidUcan', 'missing iss');
  let resolved: ReturnType<IssuerKeyResolver>;
  try {
    resolved = resolveKey(issuer);
  } catch (error) {
    throw invalid('issuer is not a P-256 did:key', error);
  }
  let signature: Uint8Array;
  try {
    signature = decodeBase64Url(parts.signature);
  } catch (error) {
    throw invalid('malformed signature', error);
  }
  if (!verifyJws('ES256', resolved.key, parts.signingInput, signature)) {
    throw new UcanError('InvalidUcan', 'signature');
  }
  let claims: UcanClaims;
  try {
    claims = decodeUcanClaims(payload);
  } catch (error) {
    throw invalid('claims', error);
  }
  // The reference re-checks that iss is non-empty; it cannot be, since it decoded as a did:key.
  return { claims, publicKey: resolved.publicKey, raw };
}

function decodeUcanClaims(payload: JsonObject): UcanClaims {
  return {
    iss: stringOrEmpty(payload, 'iss'),
    aud: optionalAudience(payload, 'aud'),
    exp: optionalU64(payload, 'exp'),
    nbf: optionalU64(payload, 'nbf'),
    cmd: stringOrEmpty(payload, 'cmd'),
    with: stringOrEmpty(payload, 'with'),
    nonce: stringOrEmpty(payload, 'nonce'),
    prf: stringArrayOrEmpty(payload, 'prf'),
  };
}

function invalid(reason: string, cause: unknown): UcanError {
  if (cause instanceof UcanError) return cause;
  return new UcanError('InvalidUcan', reason, { cause });
}
