import type { FederationJwk } from '@less-sync/api';
import { canonicalizeDomain, extractDomainFromKeyId, FstKeyring } from '@less-sync/auth';
import type { FederationSigningKey, Storage } from '@less-sync/storage';
import type { FederationConfig } from '../config/types.js';
import { type JwksCacheOptions, jwksCache } from './jwks-cache.js';
import { checkSigningKey, FederationKeyError, storedKeyJwk } from './stored.js';

/**
 * Everything the federation code needs to know about keys, built once at start (FED-KEY-08):
 * - `signingKey`: this server's primary key (signs outbound requests); undefined → no outbound calls.
 * - `trustedKeys`: peers' keys by full key id (FEDERATION_TRUSTED_KEYS); empty → inbound off.
 * - `fst`: subscribe-token keys (FEDERATION_FST_SECRET); undefined → no tokens issued or accepted.
 * - `jwks()`: the active stored keys, live (FED-HTTP-01).
 */
export interface FederationKeys {
  readonly signingKey: FederationSigningKey | undefined;
  readonly trustedKeys: ReadonlyMap<string, Uint8Array>;
  readonly trustedDomains: readonly string[];
  readonly fst: FstKeyring | undefined;
  jwks(): Promise<readonly FederationJwk[]>;
}

export interface LoadFederationKeysOptions extends JwksCacheOptions {}

const KEYGEN = 'federation-keygen';

/**
 * FED-KEY-02: reads and checks the stored keys; any unusable key stops the start with a message that
 * says what to run. The server never creates a key itself (R25).
 */
export async function loadFederationKeys(
  storage: Pick<Storage, 'listFederationPublicKeys' | 'getFederationSigningKey'>,
  config: FederationConfig,
  options: LoadFederationKeysOptions = {},
): Promise<FederationKeys> {
  const initial = await loadFederationJwks(storage);
  const signingKey = await storage.getFederationSigningKey();
  if (signingKey) {
    try {
      checkSigningKey(signingKey);
    } catch (error) {
      throw withHint(
        error,
        `replace it: ${keygenCommand(config.domain ?? domainOf(signingKey.kid))} --promote`,
      );
    }
  }
  if (config.domain !== undefined) requireSigningKeyFor(config.domain, signingKey);

  return {
    signingKey,
    trustedKeys: new Map(config.trustedKeys.map((key) => [key.keyId, key.publicKey])),
    trustedDomains: config.trustedDomains,
    fst: FstKeyring.fromSecrets(config.fstSecret, config.fstPreviousSecret),
    jwks: jwksCache(storage, initial, options),
  };
}

/** FED-KEY-02 / HTTP-10: every active stored key as a JWK; an unusable one stops the start. */
export async function loadFederationJwks(
  storage: Pick<Storage, 'listFederationPublicKeys'>,
): Promise<FederationJwk[]> {
  const keys = await storage.listFederationPublicKeys();
  return keys.map((key) => {
    try {
      return storedKeyJwk(key);
    } catch (error) {
      throw withHint(error, `retire it, or fix the row in federation_signing_keys`);
    }
  });
}

/** What the start log says about federation keys (never key material). */
export function describeFederationKeys(keys: FederationKeys): Record<string, unknown> {
  return {
    signing_key: keys.signingKey?.kid ?? null,
    trusted_peer_keys: keys.trustedKeys.size,
    fst: keys.fst === undefined ? 'off' : keys.fst.rotating ? 'current+previous' : 'current',
  };
}

/** FEDERATION_DOMAIN declares this server federates: it must have a primary key for that domain. */
function requireSigningKeyFor(domain: string, key: FederationSigningKey | undefined): void {
  if (key === undefined) {
    throw new FederationKeyError(
      `FEDERATION_DOMAIN is ${JSON.stringify(domain)} but the database has no primary federation ` +
        `signing key: run "${keygenCommand(domain)}" once, then give the printed trusted_keys_entry to peers`,
    );
  }
  // Key ids carry no port (FED-WS-04), so `localhost:5379` matches a key made for that domain.
  if (domainOf(key.kid) !== domainOf(`https://${domain}/`)) {
    throw new FederationKeyError(
      `the primary federation signing key ${JSON.stringify(key.kid)} is not for FEDERATION_DOMAIN ` +
        `${JSON.stringify(domain)}: run "${keygenCommand(domain)} --promote"`,
    );
  }
}

function domainOf(kid: string): string {
  try {
    return canonicalizeDomain(extractDomainFromKeyId(kid));
  } catch {
    return '<your domain>';
  }
}

function keygenCommand(domain: string): string {
  return `${KEYGEN} --domain ${domain}`;
}

function withHint(error: unknown, hint: string): unknown {
  return error instanceof FederationKeyError ? new FederationKeyError(`${error.message} (${hint})`) : error;
}
