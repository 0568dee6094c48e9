import { TtlLru } from '../cache/lru.js';
import { type Clock, systemClock } from '../encoding/clock.js';
import { AuthConfigError } from '../errors/base.js';
import {
  type ChainLinkParser,
  type ValidateChainParams,
  type ValidatedChain,
  validateChainWith,
} from './chain.js';
import {
  computeUcanCid,
  type IssuerKeyResolver,
  type ParsedUcan,
  parseUcan,
  resolveIssuerKey,
} from './parse.js';

export interface UcanValidatorOptions {
  /** Verified tokens remembered by CID. Default 4096; 0 disables. */
  readonly maxCachedTokens?: number;
  /** Decoded issuer keys remembered by did. Default 1024; 0 disables. */
  readonly maxCachedKeys?: number;
  /** Longest a verified token is remembered (never past its `exp`). Default 10 minutes. */
  readonly maxCacheTtlMs?: number;
  readonly now?: Clock;
}

/**
 * UCAN chain validation with bounded caches. Parsing a token (did:key decode + ES256 verify) is a
 * pure function of its text, so remembering successful parses by CID (a SHA-256 of the text) can
 * never accept anything the uncached path would refuse; every chain rule, the clock and the
 * revocation callback still run on each call.
 */
export class UcanValidator {
  private readonly tokens: TtlLru<string, ParsedUcan>;
  private readonly keys: TtlLru<string, ReturnType<IssuerKeyResolver>>;
  private readonly maxTtlMs: number;
  private readonly now: Clock;
  private readonly parser: ChainLinkParser;
  private readonly resolver: IssuerKeyResolver;

  constructor(options: UcanValidatorOptions = {}) {
    const maxTokens = options.maxCachedTokens ?? 4096;
    const maxKeys = options.maxCachedKeys ?? 1024;
    this.maxTtlMs = options.maxCacheTtlMs ?? 600_000;
    if (![maxTokens, maxKeys].every((n) => Number.isSafeInteger(n) && n >= 0) || !(this.maxTtlMs >= 0)) {
      throw new AuthConfigError('UCAN cache sizes and TTL must be non-negative');
    }
    this.tokens = new TtlLru(maxTokens);
    this.keys = new TtlLru(maxKeys);
    this.now = options.now ?? systemClock;
    this.resolver = (did) => {
      const hit = this.keys.get(did, 0);
      if (hit !== undefined) return hit;
      const resolved = resolveIssuerKey(did);
      this.keys.set(did, resolved, Number.POSITIVE_INFINITY);
      return resolved;
    };
    this.parser = (raw, cid) => this.parseWithCid(raw, cid);
  }

  /** parse_ucan with the caches. */
  parse(raw: string): ParsedUcan {
    return this.parseWithCid(raw, computeUcanCid(raw));
  }

  /** validate_chain with the caches; `params.now` defaults to this validator's clock. */
  validateChain(params: ValidateChainParams): Promise<ValidatedChain> {
    return validateChainWith(params.now === undefined ? { ...params, now: this.now() } : params, this.parser);
  }

  private parseWithCid(raw: string, cid: string): ParsedUcan {
    const now = this.now();
    const hit = this.tokens.get(cid, now);
    if (hit !== undefined) return hit;
    const parsed = parseUcan(raw, this.resolver);
    let until = now + this.maxTtlMs;
    if (parsed.claims.exp !== undefined) until = Math.min(until, (Number(parsed.claims.exp) + 1) * 1000);
    this.tokens.set(cid, parsed, until);
    return parsed;
  }
}
