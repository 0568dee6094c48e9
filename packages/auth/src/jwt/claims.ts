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

/**
 * A claim string that does not share storage with the decoded payload: V8 may keep a parsed string as a
 * slice of its source, and claims live as long as a connection (and in the verification cache), which
 * would keep every token's whole payload text alive.
 */
function ownString(payload: JsonObject, name: string): string {
  const value = stringOrEmpty(payload, name);
  return value === '' ? value : Buffer.from(value, 'utf8').toString('utf8');
}

/** Typed decode with serde semantics; throws ClaimTypeError. Other members are ignored. */
export function decodeJwtClaims(payload: JsonObject): JwtClaims {
  return {
    iss: ownString(payload, 'iss'),
    sub: ownString(payload, 'sub'),
    clientId: ownString(payload, 'client_id'),
    scope: ownString(payload, 'scope'),
    jti: ownString(payload, 'jti'),
    personalSpaceId: ownString(payload, 'personal_space_id'),
    did: ownString(payload, 'did'),
    mailboxId: ownString(payload, 'mailbox_id'),
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
