import { type Clock, systemClock } from '../encoding/clock.js';
import { AuthConfigError } from '../errors/base.js';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../jws/verify.js';
import { JwksError } from './errors.js';
import { type FetchLike, fetchJwksBody } from './fetch.js';
import { parseJwk, type VerificationKey } from './parse-jwk.js';

export const MAX_JWKS_SIZE = 1_048_576;
export const DEFAULT_JWKS_REFRESH_TTL_MS = 3_600_000;
export const DEFAULT_JWKS_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_JWKS_REFETCH_COOLDOWN_MS = 30_000;

export interface JwksClientOptions {
  readonly url: string;
  /** How long a fetched key set is trusted without refetching. 0 or absent: 1 hour. */
  readonly refreshTtlMs?: number;
  /** Total deadline of one fetch, body included. Default 10 s. */
  readonly fetchTimeoutMs?: number;
  /** Largest accepted document. Default 1 MiB. */
  readonly maxBytes?: number;
  /** Minimum spacing of fetches triggered by an unknown kid or retried after a failure (R13). */
  readonly refetchCooldownMs?: number;
  /** JWS algorithms keys may be used for; keys usable for none are skipped. */
  readonly algorithms?: readonly JwtAlgorithm[];
  readonly fetch?: FetchLike;
  readonly now?: Clock;
  /** Told about every key skipped as unusable (for logging); never required. */
  readonly onKeySkipped?: (error: JwksError) => void;
}

/**
 * One issuer's key set (JWKS-04 with R13): keys are served from memory while fresh; a stale set is
 * refreshed on demand; an unknown kid or a retry after a failure fetches at most once per cooldown;
 * concurrent callers share one in-flight fetch; when a refresh fails, keys already held keep being
 * served (stale-on-error), so an identity-provider outage does not lock everyone out.
 */
export class JwksClient {
  readonly url: string;
  private readonly refreshTtlMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly maxBytes: number;
  private readonly cooldownMs: number;
  private readonly algorithms: readonly JwtAlgorithm[];
  private readonly fetchImpl: FetchLike;
  private readonly now: Clock;
  private readonly onKeySkipped: ((error: JwksError) => void) | undefined;

  private keys = new Map<string, VerificationKey>();
  private fetchedAtMs: number | undefined;
  private attemptedAtMs: number | undefined;
  private lastError: JwksError | undefined;
  private inflight: Promise<void> | undefined;
  private fetches = 0;

  constructor(options: JwksClientOptions) {
    this.url = options.url;
    this.refreshTtlMs = nonNegative(options.refreshTtlMs, 'refreshTtlMs') || DEFAULT_JWKS_REFRESH_TTL_MS;
    this.fetchTimeoutMs = positive(options.fetchTimeoutMs ?? DEFAULT_JWKS_FETCH_TIMEOUT_MS, 'fetchTimeoutMs');
    this.maxBytes = positive(options.maxBytes ?? MAX_JWKS_SIZE, 'maxBytes');
    this.cooldownMs = nonNegative(options.refetchCooldownMs ?? DEFAULT_JWKS_REFETCH_COOLDOWN_MS, 'cooldown');
    this.algorithms = options.algorithms ?? JWT_ALGORITHMS;
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.now = options.now ?? systemClock;
    this.onKeySkipped = options.onKeySkipped;
  }

  /** Number of fetches started so far (for metrics and tests). */
  get fetchCount(): number {
    return this.fetches;
  }

  async getKey(kid: string): Promise<VerificationKey> {
    const now = this.now();
    const cached = this.keys.get(kid);
    if (cached !== undefined && !this.isStale(now)) return cached;
    if (this.inflight === undefined) {
      if (!this.mayFetch(now)) return this.fromCache(kid);
      this.inflight = this.refresh().finally(() => {
        this.inflight = undefined;
      });
    }
    await this.inflight;
    return this.fromCache(kid);
  }

  private isStale(now: number): boolean {
    return this.fetchedAtMs === undefined || now - this.fetchedAtMs > this.refreshTtlMs;
  }

  private mayFetch(now: number): boolean {
    if (this.attemptedAtMs === undefined || now - this.attemptedAtMs >= this.cooldownMs) return true;
    // A set that simply aged out is refreshed at once; only failures and unknown kids are throttled.
    return this.lastError === undefined && this.isStale(now);
  }

  private fromCache(kid: string): VerificationKey {
    const key = this.keys.get(kid);
    if (key !== undefined) return key;
    throw (
      this.lastError ??
      new JwksError('KeyNotFound', `key ${JSON.stringify(kid)} not found in JWKS`, { detail: kid })
    );
  }

  /** Never rejects: the outcome is recorded in `keys` / `lastError`. */
  private async refresh(): Promise<void> {
    this.attemptedAtMs = this.now();
    this.fetches++;
    try {
      const body = await fetchJwksBody(this.fetchImpl, this.url, this.fetchTimeoutMs, this.maxBytes);
      this.keys = this.decode(body);
      this.fetchedAtMs = this.now();
      this.lastError = undefined;
    } catch (error) {
      this.lastError =
        error instanceof JwksError
          ? error
          : new JwksError('Fetch', `failed to fetch JWKS: ${String(error)}`, { cause: error });
    }
  }

  private decode(body: Uint8Array): Map<string, VerificationKey> {
    let document: unknown;
    try {
      document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (error) {
      throw new JwksError('Decode', `failed to decode JWKS: ${(error as Error).message}`, { cause: error });
    }
    const list =
      typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
    if (!Array.isArray(list)) {
      throw new JwksError('Decode', 'failed to decode JWKS: missing keys array');
    }
    const keys = new Map<string, VerificationKey>();
    for (const jwk of list) {
      try {
        const key = parseJwk(jwk, this.algorithms);
        keys.set(key.kid, key);
      } catch (error) {
        if (!(error instanceof JwksError)) throw error;
        this.onKeySkipped?.(error);
      }
    }
    return keys;
  }
}

function nonNegative(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0)
    throw new AuthConfigError(`${name} must be a non-negative number`);
  return value;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new AuthConfigError(`${name} must be a positive number`);
  return value;
}
