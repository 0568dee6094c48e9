import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalizeDomain,
  createFst,
  deriveFstKey,
  FederationTokenError,
  FST_MAX_EXPIRY_SECONDS,
  FST_TOKEN_LEN,
  FST_VERSION,
  verifyFst,
  verifyFstDualKey,
} from '../src/index.js';

const SECRET = Buffer.from('01234567890123456789012345678901');
const OTHER_SECRET = Buffer.from('abcdefghijklmnopqrstuvwxyz012345');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function kindOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FederationTokenError);
    return (error as FederationTokenError).kind;
  }
  return 'ok';
}

describe('federation subscribe tokens', () => {
  it('FST-01 FST-04 FST-05 fst_round_trip', () => {
    expect([FST_VERSION, FST_TOKEN_LEN, FST_MAX_EXPIRY_SECONDS]).toEqual([1, 105, 86_400]);
    const key = deriveFstKey(SECRET);
    const space = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
    const token = createFst(key, space, 'peer.example.com');
    expect(token).toHaveLength(140);
    const claims = verifyFst(key, token, 'peer.example.com');
    expect(claims.spaceId).toBe(space);
    const remaining = claims.expiresAt * 1000 - Date.now();
    expect(remaining).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(remaining).toBeLessThanOrEqual(25 * 3600_000);
  });

  it('FST-04 fst_caps_expiry_to_ucan_expiry', () => {
    const key = deriveFstKey(SECRET);
    const ucanExpiry = Date.now() / 1000 + 3600;
    const claims = verifyFst(
      key,
      createFst(key, randomUUID(), 'peer.example.com', ucanExpiry),
      'peer.example.com',
    );
    const remaining = claims.expiresAt * 1000 - Date.now();
    expect(remaining).toBeGreaterThanOrEqual(50 * 60_000);
    expect(remaining).toBeLessThanOrEqual(70 * 60_000);
    // A later UCAN expiry does not extend the 24 h cap.
    const capped = verifyFst(key, createFst(key, randomUUID(), 'p', Date.now() / 1000 + 86_400 * 3), 'p');
    expect(capped.expiresAt * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('FST-05 fst_rejects_wrong_peer', () => {
    const key = deriveFstKey(SECRET);
    expect(
      kindOf(() => verifyFst(key, createFst(key, randomUUID(), 'peer-a.example.com'), 'peer-b.example.com')),
    ).toBe('InvalidToken');
  });

  it('FST-02 FST-05 fst_rejects_wrong_key', () => {
    const token = createFst(deriveFstKey(SECRET), randomUUID(), 'peer.example.com');
    expect(kindOf(() => verifyFst(deriveFstKey(OTHER_SECRET), token, 'peer.example.com'))).toBe(
      'InvalidToken',
    );
  });

  it('FST-05 FST-07 fst_rejects_expired (UCAN expiry already past: creation succeeds)', () => {
    const key = deriveFstKey(SECRET);
    const token = createFst(key, randomUUID(), 'peer.example.com', Date.now() / 1000 - 3600);
    expect(kindOf(() => verifyFst(key, token, 'peer.example.com'))).toBe('ExpiredToken');
  });

  it('FST-05 ENC-02 fst_rejects_tampered (character 10 replaced)', () => {
    const key = deriveFstKey(SECRET);
    const token = createFst(key, randomUUID(), 'peer.example.com');
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    expect(kindOf(() => verifyFst(key, tampered, 'peer.example.com'))).toBe('InvalidToken');
  });

  it('FST-05 FST-07 ENC-01 fst_rejects_empty_and_garbage', () => {
    const key = deriveFstKey(SECRET);
    for (const candidate of ['', 'not-base64!', 'abc123']) {
      expect(
        kindOf(() => verifyFst(key, candidate, 'peer.example.com')),
        candidate,
      ).toBe('InvalidToken');
    }
    const token = createFst(key, randomUUID(), 'p');
    expect(kindOf(() => verifyFst(key, `${token}=`, 'p'))).toBe('InvalidToken');
    expect(kindOf(() => verifyFst(key, token.replace(/^A/, 'B'), 'p'))).toBe('InvalidToken');
  });

  it('FST-06 fst_dual_key_verification; with a previous key the error is the previous key’s', () => {
    const oldKey = deriveFstKey(SECRET);
    const newKey = deriveFstKey(OTHER_SECRET);
    const space = randomUUID();
    const token = createFst(oldKey, space, 'peer.example.com');
    expect(kindOf(() => verifyFst(newKey, token, 'peer.example.com'))).toBe('InvalidToken');
    expect(verifyFstDualKey(newKey, oldKey, token, 'peer.example.com').spaceId).toBe(space);
    expect(verifyFstDualKey(newKey, undefined, createFst(newKey, space, 'p'), 'p').spaceId).toBe(space);
    const expired = createFst(newKey, space, 'p', 1);
    expect(kindOf(() => verifyFstDualKey(newKey, undefined, expired, 'p'))).toBe('ExpiredToken');
    expect(kindOf(() => verifyFstDualKey(newKey, oldKey, expired, 'p'))).toBe('InvalidToken');
  });

  it('FST-04 fst_is_non_deterministic', () => {
    const key = deriveFstKey(SECRET);
    const space = randomUUID();
    expect(createFst(key, space, 'peer.example.com')).not.toBe(createFst(key, space, 'peer.example.com'));
  });

  it('FST-03 canonicalize_domain_cases and the ordering quirks', () => {
    const cases: [string, string][] = [
      ['example.com', 'example.com'],
      ['EXAMPLE.COM', 'example.com'],
      ['example.com.', 'example.com'],
      ['example.com:443', 'example.com'],
      ['example.com:8443', 'example.com:8443'],
      ['https://example.com', 'example.com'],
      ['https://EXAMPLE.COM:443/path', 'example.com'],
      ['http://example.com:8080/foo', 'example.com:8080'],
      ['example.com.:443', 'example.com.'],
      ['example.com:443.', 'example.com'],
      ['x:443:443', 'x'],
      ['http://x:443', 'x'],
      ['x:80', 'x:80'],
      ['ÉXAMPLE.com', 'Éxample.com'],
    ];
    for (const [input, expected] of cases) expect(canonicalizeDomain(input), input).toBe(expected);
  });

  it('FST-02 FST-04 TV-FST derived vectors, byte for byte', () => {
    const key = deriveFstKey(SECRET);
    expect(hex(key)).toBe('781cbd0cca5f154fc7e66bd0ec95e7f6fd3e7c040db55d9c70412ec6bde155db');
    expect(hex(deriveFstKey(OTHER_SECRET))).toBe(
      '3ce3bc198ca1d33a5dda9d8ede170851968489e5f2434163a7bf6d572bbc3d21',
    );
    const token = createFst(key, 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', 'peer.example.com', 4102444800, {
      now: () => 4102444800_000 - 3600_000,
      randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => i),
    });
    expect(token).toBe(
      'AQABAgMEBQYHCAkKCwwNDg-qqqqqqqqqqqqqqqqqqqqqIoaRJmXRU_mPgs9-mzbhWG1gswFap8nNsDVTIyKbEyAAAAAA9IZXADSAD9GxfU3DM_DRk59w2WY1o3ftogqnoXwBrWfPpoGe',
    );
    expect(Buffer.from(token, 'base64url').toString('hex')).toBe(
      '01000102030405060708090a0b0c0d0e0faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2286912665d153f98f82cf7e9b36e1586d60b3015aa7c9cdb0355323229b132000000000f486570034800fd1b17d4dc333f0d1939f70d96635a377eda20aa7a17c01ad67cfa6819e',
    );
    const now = () => 4102444800_000;
    expect(verifyFst(key, token, 'peer.example.com', { now })).toEqual({
      spaceId: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa',
      expiresAt: 4102444800,
    });
    expect(verifyFst(key, token, 'PEER.EXAMPLE.COM:443', { now }).spaceId).toBe(
      'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa',
    );
    expect(kindOf(() => verifyFst(key, token, 'peer-a.example.com', { now }))).toBe('InvalidToken');
    expect(kindOf(() => verifyFst(key, token, 'peer.example.com', { now: () => 4102444800_001 }))).toBe(
      'ExpiredToken',
    );
  });

  it('FST-04 domain hashes of TV-FST (SHA-256 of the canonical domain is what binds the peer)', () => {
    const key = deriveFstKey(SECRET);
    const hashOf = (domain: string) =>
      Buffer.from(createFst(key, 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', domain), 'base64url')
        .subarray(33, 65)
        .toString('hex');
    expect(hashOf('peer.example.com')).toBe(
      '2286912665d153f98f82cf7e9b36e1586d60b3015aa7c9cdb0355323229b1320',
    );
    expect(hashOf('peer-a.example.com')).toBe(
      '39d98580461177b733c588bc22f42ab947c7b25d7bc62ed6b855434ad05f52ec',
    );
    expect(hashOf('https://PEER-B.example.com/x')).toBe(
      '5f4ae2c48b9bea3c2e57b0dc6d44ed9dc56710b3a51265f88f89cca6c6d1a226',
    );
    expect(hashOf('example.com')).toBe('a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947');
  });

  it('FST-04 FST-05 space ids: simple or hyphenated in, lowercase hyphenated out; bad ids and times refused', () => {
    const key = deriveFstKey(SECRET);
    const token = createFst(key, 'AAAAAAAABBBBCCCCDDDDEEEEEEEEEEEE', 'p');
    expect(verifyFst(key, token, 'p').spaceId).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    expect(() => createFst(key, 'not-a-uuid', 'p')).toThrow('not a UUID');
    expect(kindOf(() => createFst(key, randomUUID(), 'p', -5))).toBe('ExpiryBeforeUnixEpoch');
    expect(() =>
      createFst(key, randomUUID(), 'p', undefined, { randomBytes: () => new Uint8Array(1) }),
    ).toThrow('randomBytes');
  });

  it('FST-05 an expiry beyond i64::MAX is invalid even with a valid MAC', () => {
    const key = deriveFstKey(SECRET);
    const bytes = Buffer.from(createFst(key, randomUUID(), 'p'), 'base64url');
    bytes.writeBigUInt64BE(1n << 63n, 65);
    createHmac('sha256', key).update(bytes.subarray(0, 73)).digest().copy(bytes, 73);
    expect(kindOf(() => verifyFst(key, bytes.toString('base64url'), 'p'))).toBe('InvalidToken');
  });
});
