import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SESSION_TOKEN_LENGTH, SESSION_VERSION, SessionError, SessionManager } from '../src/index.js';

const KEY = Buffer.from('01234567890123456789012345678901');
const OTHER_KEY = Buffer.from('abcdefghijklmnopqrstuvwxyz012345');
const MINUTE = 60_000;

function kindOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionError);
    return (error as SessionError).kind;
  }
  return 'ok';
}

describe('session tokens', () => {
  it('SESSION-01 SESSION-02 SESSION-03 session_token_round_trip', () => {
    const manager = new SessionManager(KEY, 15 * MINUTE);
    const space = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
    const token = manager.issueToken(space, 'write');
    expect(token.byteLength).toBe(SESSION_TOKEN_LENGTH);
    expect(token[0]).toBe(SESSION_VERSION);
    const claims = manager.validateToken(token, space);
    expect(claims.spaceId).toBe(space);
    expect(claims.permission).toBe('write');
    const remaining = claims.expiresAt * 1000 - Date.now();
    expect(remaining).toBeGreaterThanOrEqual(14 * MINUTE);
    expect(remaining).toBeLessThanOrEqual(16 * MINUTE);
  });

  it('SESSION-04 session_token_rejects_wrong_space', () => {
    const manager = new SessionManager(KEY, 15 * MINUTE);
    expect(kindOf(() => manager.validateToken(manager.issueToken('space-a', 'write'), 'space-b'))).toBe(
      'InvalidSession',
    );
  });

  it('SESSION-04 session_token_rejects_expired (injected clock instead of sleeping)', () => {
    let now = 1_700_000_000_500;
    const manager = new SessionManager(KEY, 1, { now: () => now });
    const token = manager.issueToken('space-1', 'read');
    // Expiry is floored at issue: now + 1 ms → second 1_700_000_000, so 5 ms later it has passed.
    now += 5;
    expect(kindOf(() => manager.validateToken(token, 'space-1'))).toBe('SessionExpired');
  });

  it('SESSION-04 ENC-03 expiry is precise: valid up to expiry.000, expired 1 ms after', () => {
    let now = 1_700_000_000_000;
    const manager = new SessionManager(KEY, 10_000, { now: () => now });
    const token = manager.issueToken('s', 'read');
    now = 1_700_000_010_000;
    expect(manager.validateToken(token, 's').expiresAt).toBe(1_700_000_010);
    now += 1;
    expect(kindOf(() => manager.validateToken(token, 's'))).toBe('SessionExpired');
  });

  it('SESSION-04 session_token_rejects_truncated / _empty / _wrong_version', () => {
    const manager = new SessionManager(KEY, 15 * MINUTE);
    const token = manager.issueToken('space-1', 'write');
    expect(kindOf(() => manager.validateToken(token.subarray(0, 20), 'space-1'))).toBe('InvalidSession');
    expect(kindOf(() => manager.validateToken(new Uint8Array(0), 'space-1'))).toBe('InvalidSession');
    const wrongVersion = Uint8Array.from(token);
    wrongVersion[0] = 99;
    expect(kindOf(() => manager.validateToken(wrongVersion, 'space-1'))).toBe('InvalidSession');
  });

  it('SESSION-04 ENC-02 session_token_rejects_tampered (byte 15 XOR 0xff)', () => {
    const manager = new SessionManager(KEY, 15 * MINUTE);
    const token = Uint8Array.from(manager.issueToken('space-1', 'write'));
    token[15] = (token[15] as number) ^ 0xff;
    expect(kindOf(() => manager.validateToken(token, 'space-1'))).toBe('InvalidSession');
  });

  it('SESSION-04 session_token_rejects_different_key', () => {
    const token = new SessionManager(KEY, 15 * MINUTE).issueToken('space-1', 'write');
    expect(kindOf(() => new SessionManager(OTHER_KEY, 15 * MINUTE).validateToken(token, 'space-1'))).toBe(
      'InvalidSession',
    );
  });

  it('PERM-04 session_token_preserves_read_permission', () => {
    const manager = new SessionManager(KEY, 15 * MINUTE);
    expect(manager.validateToken(manager.issueToken('space-1', 'read'), 'space-1').permission).toBe('read');
    expect(manager.validateToken(manager.issueToken('space-1', 'admin'), 'space-1').permission).toBe('admin');
  });

  it('SESSION-01 session_manager_returns_ttl and _rejects_bad_key_length', () => {
    expect(new SessionManager(KEY, 10 * MINUTE).ttl).toBe(10 * MINUTE);
    expect(kindOf(() => SessionManager.fromKeyBytes(Buffer.from('short'), 15 * MINUTE))).toBe(
      'InvalidKeyLength',
    );
    expect(() => SessionManager.fromKeyBytes(Buffer.from('short'), 15 * MINUTE)).toThrow(
      'session HMAC key must be 32 bytes, got 5',
    );
    expect(SessionManager.fromKeyBytes(KEY, 1).ttl).toBe(1);
  });

  it('SESSION-02 TV-SESSION derived vector, byte for byte', () => {
    const manager = new SessionManager(KEY, 15 * MINUTE, {
      now: () => 4102444800_000 - 15 * MINUTE,
      randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => i),
    });
    const token = manager.issueToken('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', 'write');
    expect(Buffer.from(token).toString('hex')).toBe(
      '0100000000f486570002000102030405060708090a0b0c0d0e0fe74fe2a3f326b5b2edfbcbd246f0f5ea7fa8eb0bc9fa8f4ba369c6f4ba304d5b',
    );
  });

  it('SESSION-04 SESSION-05 an unknown permission byte (only possible with the key) is InvalidPermission', () => {
    const manager = new SessionManager(KEY, 15 * MINUTE, { randomBytes: () => new Uint8Array(16) });
    // Forge with the key: re-MAC a header whose permission byte is 9.
    const forged = Buffer.from(manager.issueToken('s', 'read'));
    forged[9] = 9;
    createHmac('sha256', KEY).update(forged.subarray(0, 26)).update('s').digest().copy(forged, 26);
    expect(kindOf(() => manager.validateToken(forged, 's'))).toBe('InvalidPermission');
    expect(() => manager.validateToken(forged, 's')).toThrow(
      'invalid session permission: unknown permission value 9',
    );
    // An expiry beyond i64::MAX is refused as invalid even with a correct MAC.
    forged[9] = 1;
    forged.writeBigUInt64BE(1n << 63n, 1);
    createHmac('sha256', KEY).update(forged.subarray(0, 26)).update('s').digest().copy(forged, 26);
    expect(kindOf(() => manager.validateToken(forged, 's'))).toBe('InvalidSession');
  });

  it('SESSION-03 issue-time range errors', () => {
    expect(kindOf(() => new SessionManager(KEY, 1, { now: () => -10_000 }).issueToken('s', 'read'))).toBe(
      'ExpiryBeforeUnixEpoch',
    );
    expect(kindOf(() => new SessionManager(KEY, Number.POSITIVE_INFINITY).issueToken('s', 'read'))).toBe(
      'ExpiryOutOfRange',
    );
    expect(() =>
      new SessionManager(KEY, 1, { randomBytes: () => new Uint8Array(3) }).issueToken('s', 'read'),
    ).toThrow('randomBytes');
  });
});
