import { isEd25519Point } from '@less-sync/auth';
import { quote, readTrimmed, readUnsigned } from './env.js';
import { ConfigError } from './errors.js';
import { canonicalizeDomain, domainFromKeyId } from './federation-domain.js';
import { parseFederationOutbound } from './federation-outbound.js';
import type { Env, FederationConfig, FederationQuotas, TrustedFederationKey } from './types.js';

/** FED-QUOTA-01 defaults. */
export const DEFAULT_FEDERATION_QUOTAS: FederationQuotas = {
  maxSpaces: 1000,
  maxRecordsPerHour: 10_000,
  maxBytesPerHour: 524_288_000,
  maxInvitationsPerHour: 100,
  maxConnections: 3,
};

export interface FederationResult {
  readonly federation: FederationConfig;
  readonly warning: string | undefined;
}

/**
 * CONFIG-09 / FED-QUOTA-01 / FED-KEY-05 / FED-KEY-06, in the reference's order: quotas, then trusted
 * domains, then trusted keys, then the check that every key's domain is trusted.
 */
export function parseFederation(env: Env): FederationResult {
  const quotas = parseQuotas(env);
  let trustedDomains = sortedUnique(
    (env.FEDERATION_TRUSTED_DOMAINS ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map(canonicalizeDomain),
  );
  const trustedKeys = parseTrustedKeys(env.FEDERATION_TRUSTED_KEYS ?? '');

  if (trustedDomains.length === 0) {
    trustedDomains = sortedUnique(trustedKeys.map((key) => key.domain));
  } else {
    const trusted = new Set(trustedDomains);
    for (const key of trustedKeys) {
      if (!trusted.has(key.domain)) {
        throw new ConfigError(
          'FEDERATION_TRUSTED_KEYS',
          `FEDERATION_TRUSTED_KEYS domain ${quote(key.domain)} is not listed in FEDERATION_TRUSTED_DOMAINS`,
        );
      }
    }
  }

  const fstSecret = readTrimmed(env, 'FEDERATION_FST_SECRET');
  const previous = readTrimmed(env, 'FEDERATION_FST_PREVIOUS_SECRET');
  const warning =
    previous !== undefined && fstSecret === undefined
      ? 'FEDERATION_FST_PREVIOUS_SECRET is ignored because FEDERATION_FST_SECRET is not set'
      : undefined;

  return {
    federation: {
      trustedDomains,
      trustedKeys,
      inboundEnabled: trustedKeys.length > 0,
      fstSecret,
      fstPreviousSecret: fstSecret === undefined ? undefined : previous,
      quotas,
      domain: parseOwnDomain(env),
      outbound: parseFederationOutbound(env),
    },
    warning,
  };
}

function parseQuotas(env: Env): FederationQuotas {
  const d = DEFAULT_FEDERATION_QUOTAS;
  return {
    maxSpaces: readUnsigned(env, 'FEDERATION_MAX_SPACES', d.maxSpaces),
    maxRecordsPerHour: readUnsigned(env, 'FEDERATION_MAX_RECORDS_PER_HOUR', d.maxRecordsPerHour),
    maxBytesPerHour: readUnsigned(env, 'FEDERATION_MAX_BYTES_PER_HOUR', d.maxBytesPerHour),
    maxInvitationsPerHour: readUnsigned(env, 'FEDERATION_MAX_INVITATIONS_PER_HOUR', d.maxInvitationsPerHour),
    maxConnections: readUnsigned(env, 'FEDERATION_MAX_CONNECTIONS', d.maxConnections),
  };
}

/** Whitespace-separated `<keyid>=<base64url 32-byte Ed25519 key>`; a later duplicate key id wins. */
function parseTrustedKeys(raw: string): TrustedFederationKey[] {
  const keys = new Map<string, TrustedFederationKey>();
  for (const entry of raw.split(/\s+/)) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) {
      throw new ConfigError(
        'FEDERATION_TRUSTED_KEYS',
        `invalid FEDERATION_TRUSTED_KEYS entry ${quote(entry)}`,
      );
    }
    const keyId = entry.slice(0, eq);
    const host = domainFromKeyId(keyId);
    const domain = host === undefined ? '' : canonicalizeDomain(host);
    if (domain === '') {
      throw new ConfigError('FEDERATION_TRUSTED_KEYS', `invalid federation key id ${quote(keyId)}`);
    }
    const publicKey = decodeBase64UrlNoPad(entry.slice(eq + 1));
    if (publicKey === undefined) {
      throw new ConfigError('FEDERATION_TRUSTED_KEYS', `invalid federation key payload for ${quote(keyId)}`);
    }
    if (publicKey.length !== 32) {
      throw new ConfigError('FEDERATION_TRUSTED_KEYS', `federation key for ${quote(keyId)} must be 32 bytes`);
    }
    if (!isEd25519Point(publicKey)) {
      throw new ConfigError('FEDERATION_TRUSTED_KEYS', `invalid federation key bytes for ${quote(keyId)}`);
    }
    keys.set(keyId, { keyId, domain, publicKey });
  }
  return [...keys.values()];
}

/**
 * Strict unpadded base64url: alphabet only, no `=`, no impossible length, and unused trailing bits
 * zero (a canonical encoding), as the reference's decoder requires.
 */
function decodeBase64UrlNoPad(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes);
}

/** FEDERATION_DOMAIN: trimmed, canonicalized; empty = unset. */
function parseOwnDomain(env: Env): string | undefined {
  const raw = readTrimmed(env, 'FEDERATION_DOMAIN');
  if (raw === undefined) return undefined;
  const domain = canonicalizeDomain(raw);
  if (domain === '') throw new ConfigError('FEDERATION_DOMAIN', 'FEDERATION_DOMAIN must name a domain');
  return domain;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
