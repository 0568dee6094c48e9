import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/index.js';
import { fixedRandom, load, loadError, REFERENCE_ENV } from './helpers.js';

const GENERATED_WARNING =
  'IDENTITY_HASH_KEY is not set: a random key is generated once and stored in the database, so every ' +
  'instance and every restart share it; set IDENTITY_HASH_KEY to 64 hex characters to manage it yourself';

describe('IDENTITY_HASH_KEY (CONFIG-06, R12)', () => {
  it('CONFIG-06 parse_identity_hash_key_accepts_32_byte_hex', () => {
    const config = load({ IDENTITY_HASH_KEY: 'a'.repeat(64) });
    expect(config.identityHashKey.generated).toBe(false);
    expect(config.identityHashKey.key).toEqual(new Uint8Array(32).fill(0xaa));
    expect(config.warnings).not.toContain(GENERATED_WARNING);
  });

  it('CONFIG-06 hex of either case, trimmed', () => {
    const hex = `${'0123456789abcdef'.repeat(2)}${'0123456789ABCDEF'.repeat(2)}`;
    const config = load({ IDENTITY_HASH_KEY: `  ${hex}\n` });
    expect(Buffer.from(config.identityHashKey.key).toString('hex')).toBe(hex.toLowerCase());
  });

  it('CONFIG-06 parse_identity_hash_key_rejects_wrong_length', () => {
    const error = loadError({ IDENTITY_HASH_KEY: 'aa'.repeat(16) });
    expect(error.variable).toBe('IDENTITY_HASH_KEY');
    expect(error.message).toBe('IDENTITY_HASH_KEY must be 64 hex characters (32 bytes), got 16 bytes');
    expect(loadError({ IDENTITY_HASH_KEY: 'ab'.repeat(33) }).message).toContain('got 33 bytes');
  });

  it('CONFIG-06 parse_identity_hash_key_rejects_non_hex (and odd length, and a 0x prefix)', () => {
    for (const value of ['not-hex', 'abc', `0x${'a'.repeat(64)}`, `${'a'.repeat(63)}g`]) {
      expect(loadError({ IDENTITY_HASH_KEY: value }).message).toBe('IDENTITY_HASH_KEY must be valid hex');
    }
  });

  it('R12 parse_identity_hash_key_returns_none_when_absent → rate limiting stays on with a random key', () => {
    const config = load();
    expect(config.identityHashKey).toEqual({ key: new Uint8Array(32).fill(9), generated: true });
    expect(config.warnings).toContain(GENERATED_WARNING);
  });

  it('R12 parse_identity_hash_key_returns_none_for_empty_string → generated key too', () => {
    for (const value of ['', '   ']) {
      const config = load({ IDENTITY_HASH_KEY: value });
      expect(config.identityHashKey.generated).toBe(true);
      expect(config.warnings).toContain(GENERATED_WARNING);
    }
  });

  it('R12 without an injected source the generated key is random (two starts differ)', () => {
    const a = loadConfig(REFERENCE_ENV).identityHashKey;
    const b = loadConfig(REFERENCE_ENV).identityHashKey;
    expect(a.key).toHaveLength(32);
    expect(a.generated && b.generated).toBe(true);
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(false);
  });

  it('R12 the rate limits are on by default even without a configured key', () => {
    const config = load();
    expect(config.rateLimits.membershipAppend.max).toBeGreaterThan(0);
    expect(config.rateLimits.invitationCreate.max).toBeGreaterThan(0);
    expect(config.rateLimits.spaceCreate.max).toBeGreaterThan(0);
  });

  it('CONFIG-06 errors are ConfigError instances with a code', () => {
    const error = loadError({ IDENTITY_HASH_KEY: 'zz' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('config_invalid');
    expect(error.name).toBe('ConfigError');
    expect(fixedRandom(2)).toEqual(new Uint8Array([9, 9]));
  });
});
