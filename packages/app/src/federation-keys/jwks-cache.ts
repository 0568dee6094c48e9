import type { FederationJwk } from '@less-sync/api';
import type { Storage } from '@less-sync/storage';
import { FederationKeyError, storedKeyJwk } from './stored.js';

/** How long a read of the active keys is reused (FED-HTTP-01: live, but not one query per request). */
export const JWKS_REFRESH_MS = 5_000;

export interface JwksCacheOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** A stored key that became unusable after start: it is left out and reported here. */
  readonly onInvalidKey?: (error: FederationKeyError) => void;
}

/**
 * FED-HTTP-01: the active keys as JWKs, re-read at most every `ttlMs`; concurrent requests share one
 * read. A read that fails is not cached, so the next request tries again.
 */
export function jwksCache(
  storage: Pick<Storage, 'listFederationPublicKeys'>,
  initial: readonly FederationJwk[],
  options: JwksCacheOptions = {},
): () => Promise<readonly FederationJwk[]> {
  const ttl = options.ttlMs ?? JWKS_REFRESH_MS;
  const now = options.now ?? Date.now;
  let value = initial;
  let loadedAt = now();
  let loading: Promise<readonly FederationJwk[]> | undefined;

  const load = async (): Promise<readonly FederationJwk[]> => {
    const keys = await storage.listFederationPublicKeys();
    const jwks: FederationJwk[] = [];
    for (const key of keys) {
      try {
        jwks.push(storedKeyJwk(key));
      } catch (error) {
        if (!(error instanceof FederationKeyError)) throw error;
        options.onInvalidKey?.(error);
      }
    }
    value = Object.freeze(jwks);
    loadedAt = now();
    return value;
  };

  return () => {
    if (now() - loadedAt < ttl) return Promise.resolve(value);
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  };
}
