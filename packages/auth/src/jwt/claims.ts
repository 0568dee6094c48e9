import { type Audience, optionalAudience, optionalU64, stringOrEmpty } from '../encoding/claims.js';
import type { JsonObject } from '../encoding/json.js';
import type { BearerClaims } from './types.js';

/** The JWT payload members less-sync reads (JWT-04, plus `nbf` which R14 honours). */
export interface JwtClaims extends BearerClaims {
  readonly iss: string;
  readonly sub: string;
  readonly jti: string;
  readonly aud: Audience | undefined;
  readonly exp: bigint | undefined;
  readonly nbf: bigint | undefined;
}

/** Typed decode with serde semantics; throws ClaimTypeError. Other members are ignored. */
export function decodeJwtClaims(payload: JsonObject): JwtClaims {
  return {
    iss: stringOrEmpty(payload, 'iss'),
    sub: stringOrEmpty(payload, 'sub'),
    clientId: stringOrEmpty(payload, 'client_id'),
    scope: stringOrEmpty(payload, 'scope'),
    jti: stringOrEmpty(payload, 'jti'),
    personalSpaceId: stringOrEmpty(payload, 'personal_space_id'),
    did: stringOrEmpty(payload, 'did'),
    mailboxId: stringOrEmpty(payload, 'mailbox_id'),
    aud: optionalAudience(payload, 'aud'),
    exp: optionalU64(payload, 'exp'),
    nbf: optionalU64(payload, 'nbf'),
  };
}

/** JWT-07: any configured audience equal to the string `aud` or to one element of the array. */
export function audienceMatches(aud: Audience | undefined, expected: ReadonlySet<string>): boolean {
  if (aud === undefined) return false;
  if (typeof aud === 'string') return expected.has(aud);
  return aud.some((value) => expected.has(value));
}

/** JWT-02: strips every trailing `/`, nothing else. */
export function normalizeIssuer(issuer: string): string {
  let end = issuer.length;
  while (end > 0 && issuer.charCodeAt(end - 1) === 0x2f) end--;
  return issuer.slice(0, end);
}
