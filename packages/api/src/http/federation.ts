import { canonicalizeDomain } from '@less-sync/auth';
import { emptyResponse, jsonResponse } from './responses.js';
import type { FederationHttpInfo, FederationJwk } from './types.js';

export const JWKS_CACHE_CONTROL = 'public, max-age=3600, stale-while-revalidate=86400';

/** HTTP-10 / FED-HTTP-01: the federation signing keys loaded at startup; `{"keys":[]}` when none. */
export function jwksResponse(keys: readonly FederationJwk[]): Response {
  return jsonResponse(200, { keys }, { 'Cache-Control': JWKS_CACHE_CONTROL });
}

/** HTTP-11: the trusted domains, or 404 (empty) while federation is off. */
export function trustedResponse(federation: FederationHttpInfo | undefined): Response {
  if (federation === undefined) return emptyResponse(404);
  return jsonResponse(200, { domains: [...federation.trustedDomains()] });
}

/**
 * HTTP-12: a peer's usage. 404 (empty) while federation is off, or when a trusted list exists and
 * does not name the (canonicalised) domain. Any authenticated user may read it, as in the reference.
 */
export async function peerStatusResponse(
  federation: FederationHttpInfo | undefined,
  rawDomain: string,
): Promise<Response> {
  if (federation === undefined) return emptyResponse(404);
  const domain = canonicalizeDomain(rawDomain);
  const trusted = federation.trustedDomains();
  if (trusted.length > 0 && !trusted.includes(domain)) return emptyResponse(404);
  const s = await federation.peerStatus(domain);
  return jsonResponse(200, {
    domain: s.domain,
    connections: s.connections,
    spaces: s.spaces,
    records_this_hour: s.records_this_hour,
    bytes_this_hour: s.bytes_this_hour,
    invitations_this_hour: s.invitations_this_hour,
  });
}
