import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFst, deriveFstKey, FederationTokenError, FstKeyring } from '../src/index.js';

const PEER = 'peer.example.com';

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FederationTokenError);
    return (error as FederationTokenError).kind;
  }
  return 'ok';
}

describe('FST keyring (FED-KEY-06)', () => {
  it('FED-KEY-06 no current secret: no keyring, and a previous secret alone is ignored', () => {
    expect(FstKeyring.fromSecrets(undefined, undefined)).toBeUndefined();
    expect(FstKeyring.fromSecrets(undefined, 'old')).toBeUndefined();
    expect(FstKeyring.fromSecrets('', 'old')).toBeUndefined();
  });

  it('FED-KEY-06 the key is HMAC-SHA256(secret UTF-8, "fst-key-v1"): tokens interoperate with the primitives', () => {
    const secret = '01234567890123456789012345678901';
    const ring = FstKeyring.fromSecrets(secret, undefined);
    if (!ring) throw new Error('expected a keyring');
    expect(ring.rotating).toBe(false);
    const space = randomUUID();
    const token = ring.issue(space, PEER);
    // Same derivation as the reference's vector key (FED-KEY-06 test vector).
    expect(Buffer.from(deriveFstKey(Buffer.from(secret, 'utf8'))).toString('hex')).toBe(
      '781cbd0cca5f154fc7e66bd0ec95e7f6fd3e7c040db55d9c70412ec6bde155db',
    );
    expect(ring.verify(token, PEER).spaceId).toBe(space);
    const foreign = createFst(deriveFstKey(Buffer.from(secret, 'utf8')), space, PEER);
    expect(ring.verify(foreign, PEER).spaceId).toBe(space);
    expect(failure(() => ring.verify(token, 'other.example.com'))).toBe('InvalidToken');
  });

  it('FED-KEY-06 fst_dual_key_verification: after rotating, tokens of the previous secret still verify', () => {
    const space = randomUUID();
    const before = FstKeyring.fromSecrets('old-secret', undefined);
    const after = FstKeyring.fromSecrets('new-secret', 'old-secret');
    const unrelated = FstKeyring.fromSecrets('new-secret', undefined);
    if (!before || !after || !unrelated) throw new Error('expected keyrings');
    const oldToken = before.issue(space, PEER);
    expect(after.rotating).toBe(true);
    expect(after.verify(oldToken, PEER).spaceId).toBe(space);
    expect(after.verify(after.issue(space, PEER), PEER).spaceId).toBe(space);
    // fst_rejects_wrong_key: once the previous secret is dropped, the old tokens stop working.
    expect(failure(() => unrelated.verify(oldToken, PEER))).toBe('InvalidToken');
  });

  it('FED-KEY-07 expiry is capped by the given cap and checked against the clock', () => {
    const nowMs = 1_700_000_000_000;
    const ring = FstKeyring.fromSecrets('s', undefined, { now: () => nowMs });
    if (!ring) throw new Error('expected a keyring');
    const space = randomUUID();
    const capped = ring.issue(space, PEER, nowMs / 1000 + 60);
    expect(ring.verify(capped, PEER).expiresAt).toBe(nowMs / 1000 + 60);
    expect(ring.verify(ring.issue(space, PEER), PEER).expiresAt).toBe(nowMs / 1000 + 86_400);
    expect(failure(() => ring.verify(capped, PEER, () => nowMs + 61_000))).toBe('ExpiredToken');
  });
});
