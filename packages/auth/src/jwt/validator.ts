import { hash } from 'node:crypto';
import { TtlLru } from '../cache/lru.js';
import { decodeBase64Url } from '../encoding/base64.js';
import { type Clock, systemClock, unixSeconds } from '../encoding/clock.js';
import { AuthConfigError } from '../errors/base.js';
import { JwksClient } from '../jwks/client.js';
import type { JwksError } from '../jwks/errors.js';
import type { FetchLike } from '../jwks/fetch.js';
import {
  decodeSegmentObject,
  type JwsHeader,
  parseHeader,
  readUnverifiedIssuer,
  splitCompact,
} from '../jws/compact.js';
import { isJwtAlgorithm, JWT_ALGORITHMS, type JwtAlgorithm, verifyJws } from '../jws/verify.js';
import { audienceMatches, decodeJwtClaims, type JwtClaims, normalizeIssuer } from './claims.js';
import { JwtValidationError } from './errors.js';
import type { AuthContext, TokenInfo, TokenValidator, TrustedIssuer } from './types.js';

export const DEFAULT_LEEWAY_SECONDS = 60;

export interface JwtValidatorConfig {
  /** Issuers whose tokens are accepted, each with its JWKS URL (JWT-01). */
  readonly issuers: readonly TrustedIssuer[];
  /** When non-empty, `aud` must name one of these (JWT-07). */
  readonly audiences?: readonly string[];
  /** Accepted JWS algorithms; default ES256, ES384, EdDSA, RS256, PS256 (R13). `none`/HMAC never. */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** Clock skew tolerated on `exp` and `nbf` (R14). Default 60 s. */
  readonly leewaySeconds?: number;
  /** Accept tokens without `exp` (R14: refused by default). */
  readonly allowNoExp?: boolean;
  readonly jwks?: {
    readonly refreshTtlMs?: number;
    readonly fetchTimeoutMs?: number;
    readonly maxBytes?: number;
    readonly refetchCooldownMs?: number;
  };
  /**
   * Remembers tokens whose signature already verified, so a repeat check skips the crypto; the
   * time, audience and identity checks still run every time. Entries live at most `maxTtlMs` and
   * never past the token's expiry. `false` turns it off. Default 10 000 entries, 5 minutes.
   */
  readonly verificationCache?: { readonly maxEntries?: number; readonly maxTtlMs?: number } | false;
  readonly fetch?: FetchLike;
  readonly now?: Clock;
  readonly onKeySkipped?: (issuer: string, error: JwksError) => void;
}

/** Distinct protected headers remembered (issuers × keys × header variants); past it the memo restarts. */
const MAX_CACHED_HEADERS = 64;

/**
 * Multi-issuer JWT validation (JWT-01..10 with R13/R14). Construction performs no I/O; keys are
 * fetched on first use. Rejections are `JwtValidationError` with kind MissingToken, InvalidToken,
 * ExpiredToken or UntrustedIssuer, in the reference's precedence.
 */
export class JwtValidator implements TokenValidator {
  private readonly clients = new Map<string, JwksClient>();
  private readonly audiences: ReadonlySet<string>;
  private readonly algorithms: readonly JwtAlgorithm[];
  private readonly leeway: bigint;
  private readonly leewaySeconds: number;
  private readonly allowNoExp: boolean;
  private readonly now: Clock;
  private readonly cache: TtlLru<string, JwtClaims> | undefined;
  private readonly cacheTtlMs: number;
  /**
   * Parsed protected headers by their segment: every token an issuer key signs carries the same header,
   * so a new user's token skips the strict header parse. Bounded; only headers that parsed are kept.
   */
  private readonly headers = new Map<string, JwsHeader>();

  constructor(config: JwtValidatorConfig) {
    this.algorithms = config.algorithms ?? JWT_ALGORITHMS;
    for (const alg of this.algorithms) {
      if (!isJwtAlgorithm(alg)) throw new AuthConfigError(`unsupported JWT algorithm ${String(alg)}`);
    }
    const leeway = config.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
    if (!Number.isSafeInteger(leeway) || leeway < 0) {
      throw new AuthConfigError('leewaySeconds must be a non-negative integer');
    }
    this.leewaySeconds = leeway;
    this.leeway = BigInt(leeway);
    this.allowNoExp = config.allowNoExp ?? false;
    this.audiences = new Set(config.audiences ?? []);
    this.now = config.now ?? systemClock;
    for (const { issuer, jwksUrl } of config.issuers) {
      if (typeof jwksUrl !== 'string' || jwksUrl === '')
        throw new AuthConfigError(`issuer ${issuer} has no JWKS URL`);
      const name = normalizeIssuer(issuer);
      this.clients.set(
        name,
        new JwksClient({
          url: jwksUrl,
          ...config.jwks,
          algorithms: this.algorithms,
          ...(config.fetch === undefined ? {} : { fetch: config.fetch }),
          now: this.now,
          ...(config.onKeySkipped === undefined
            ? {}
            : { onKeySkipped: (e) => config.onKeySkipped?.(name, e) }),
        }),
      );
    }
    const cacheConfig = config.verificationCache ?? {};
    const maxEntries = cacheConfig === false ? 0 : (cacheConfig.maxEntries ?? 10_000);
    this.cacheTtlMs = cacheConfig === false ? 0 : (cacheConfig.maxTtlMs ?? 300_000);
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0 || !(this.cacheTtlMs >= 0)) {
      throw new AuthConfigError('verificationCache needs non-negative maxEntries and maxTtlMs');
    }
    this.cache = maxEntries > 0 && this.cacheTtlMs > 0 ? new TtlLru(maxEntries) : undefined;
  }

  /** Normalised names of the trusted issuers. */
  get issuers(): string[] {
    return [...this.clients.keys()];
  }

  /** The JWKS client of a trusted issuer (for metrics and tests). */
  jwksClient(issuer: string): JwksClient | undefined {
    return this.clients.get(normalizeIssuer(issuer));
  }

  async validate(token: string): Promise<TokenInfo> {
    if (token === '') throw new JwtValidationError('MissingToken');
    const now = this.now();
    const key = this.cache === undefined ? '' : cacheKey(token);
    const cached = this.cache?.get(key, now);
    if (cached !== undefined) return this.checkClaims(cached, now);
    const claims = await this.verify(token);
    const info = this.checkClaims(claims, now);
    this.remember(key, claims, now);
    return info;
  }

  async validateToken(token: string): Promise<AuthContext> {
    const info = await this.validate(token);
    return {
      issuer: info.issuer,
      userId: info.userId,
      clientId: info.clientId,
      personalSpaceId: info.personalSpaceId,
      did: info.did,
      mailboxId: info.mailboxId,
      scope: info.scope,
      expiresAt: info.expiresAt,
    };
  }

  /** JWT-03 steps 2–9: everything up to and including the signature and the claim types. */
  private async verify(token: string): Promise<JwtClaims> {
    let parts: ReturnType<typeof splitCompact>;
    let header: ReturnType<typeof parseHeader>;
    try {
      parts = splitCompact(token);
      header = this.header(parts.header);
    } catch (error) {
      throw new JwtValidationError('InvalidToken', 'malformed header', { cause: error });
    }
    const alg = header.alg;
    if (!isJwtAlgorithm(alg) || !this.algorithms.includes(alg)) {
      throw new JwtValidationError('InvalidToken', `algorithm ${alg} not accepted`);
    }
    if (header.kid === undefined) throw new JwtValidationError('InvalidToken', 'missing kid');
    let payload: ReturnType<typeof decodeSegmentObject>;
    let issuer: string | undefined;
    try {
      payload = decodeSegmentObject(parts.payload);
      issuer = readUnverifiedIssuer(payload);
    } catch (error) {
      throw new JwtValidationError('InvalidToken', 'malformed payload', { cause: error });
    }
    if (issuer === undefined) throw new JwtValidationError('UntrustedIssuer', 'missing iss');
    const client = this.clients.get(normalizeIssuer(issuer));
    if (client === undefined) throw new JwtValidationError('UntrustedIssuer', 'issuer not trusted');
    let key: Awaited<ReturnType<JwksClient['getKey']>>;
    try {
      key = await client.getKey(header.kid);
    } catch (error) {
      throw new JwtValidationError('InvalidToken', 'jwks', { cause: error });
    }
    if (!key.algorithms.includes(alg)) {
      throw new JwtValidationError('InvalidToken', `key ${key.kid} is not for ${alg}`);
    }
    let signatureOk = false;
    try {
      signatureOk = verifyJws(alg, key.key, parts.signingInput, decodeBase64Url(parts.signature));
    } catch {
      signatureOk = false;
    }
    if (!signatureOk) throw new JwtValidationError('InvalidToken', 'signature');
    try {
      return decodeJwtClaims(payload);
    } catch (error) {
      throw new JwtValidationError('InvalidToken', 'claims', { cause: error });
    }
  }

  private header(segment: string): JwsHeader {
    let header = this.headers.get(segment);
    if (header === undefined) {
      header = parseHeader(segment);
      if (this.headers.size >= MAX_CACHED_HEADERS) this.headers.clear();
      this.headers.set(segment, header);
    }
    return header;
  }

  /** JWT-03 steps 10–14 with R14: exp (required unless allowed) and nbf with leeway. */
  private checkClaims(claims: JwtClaims, nowMs: number): TokenInfo {
    const now = BigInt(unixSeconds(nowMs));
    if (claims.exp === undefined) {
      if (!this.allowNoExp) throw new JwtValidationError('InvalidToken', 'missing exp');
    } else if (now > claims.exp + this.leeway) {
      throw new JwtValidationError('ExpiredToken', 'exp');
    }
    if (claims.nbf !== undefined && now + this.leeway < claims.nbf) {
      throw new JwtValidationError('InvalidToken', 'nbf');
    }
    if (this.audiences.size > 0 && !audienceMatches(claims.aud, this.audiences)) {
      throw new JwtValidationError('InvalidToken', 'audience');
    }
    if (claims.sub === '' || claims.clientId === '') {
      throw new JwtValidationError('InvalidToken', 'missing sub or client_id');
    }
    return {
      issuer: claims.iss,
      userId: claims.sub,
      clientId: claims.clientId,
      scope: claims.scope,
      jti: claims.jti,
      personalSpaceId: claims.personalSpaceId,
      did: claims.did,
      mailboxId: claims.mailboxId,
      expiresAt: claims.exp === undefined ? undefined : Number(claims.exp),
    };
  }

  private remember(key: string, claims: JwtClaims, nowMs: number): void {
    if (this.cache === undefined) return;
    let until = nowMs + this.cacheTtlMs;
    if (claims.exp !== undefined) {
      until = Math.min(until, (Number(claims.exp) + this.leewaySeconds + 1) * 1000);
    }
    this.cache.set(key, claims, until);
  }
}

/**
 * Cache entries are keyed by the token's SHA-256, not the token: a key of 44 characters instead of a
 * token of about 1 KiB, held once per authenticated user. Collision resistance keeps a different token
 * from ever reading another token's verified claims.
 */
function cacheKey(token: string): string {
  // The one-shot form: no Hash object per token (every new connection's token passes here).
  return hash('sha256', token, 'base64');
}
