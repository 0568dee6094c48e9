import { describe, expect, it } from 'vitest';
import { rateLimitHash } from '../../src/index.js';
import { expectKind, useTestStorage } from './helpers.js';

const KEY = new TextEncoder().encode('01234567890123456789012345678901');

describe('rate limit hash (pure)', () => {
  it('STORE-RATE-01 is deterministic, 64 lowercase hex (rate_limit_hash_is_deterministic)', () => {
    const first = rateLimitHash(KEY, 'https://accounts.less.so', 'user1');
    expect(rateLimitHash(KEY, 'https://accounts.less.so', 'user1')).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
  });

  it('STORE-RATE-01 changes with issuer and user (rate_limit_hash_changes_with_inputs)', () => {
    const first = rateLimitHash(KEY, 'https://accounts.less.so', 'user1');
    expect(rateLimitHash(KEY, 'https://accounts.less.so', 'user2')).not.toBe(first);
    expect(rateLimitHash(KEY, 'https://other.example.com', 'user1')).not.toBe(first);
  });

  it('STORE-RATE-01 separates issuer and user with a NUL byte (rate_limit_hash_uses_null_separator)', () => {
    expect(rateLimitHash(KEY, 'ab', 'c')).not.toBe(rateLimitHash(KEY, 'a', 'bc'));
    // HMAC-SHA256("k", "a" 0x00 "b"), computed independently.
    expect(rateLimitHash(new TextEncoder().encode('k'), 'a', 'b')).toBe(
      '982872ff8422d2d84de2d26d7900850ff9f3b3275079b02813b572f9ff0ef0b2',
    );
  });

  it('STORE-RATE-01 changes with the key (rate_limit_hash_changes_with_key)', () => {
    const other = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz012345');
    expect(rateLimitHash(KEY, 'issuer', 'user')).not.toBe(rateLimitHash(other, 'issuer', 'user'));
  });
});

describe('rate limit actions', () => {
  const ctx = useTestStorage();

  it('STORE-RATE-02 STORE-RATE-03 STORE-RATE-04 STORE-GEN-06 STORE-JOB-01 count, record and clean up (rate_limit_actions_lifecycle)', async () => {
    const hash = rateLimitHash(KEY, 'issuer', 'user1');
    const before = new Date(Date.now() - 1000);
    expect(await ctx.storage.countRecentActions('test_action', hash, before)).toBe(0);
    await ctx.storage.recordAction('test_action', hash);
    await ctx.storage.recordAction('test_action', hash);
    expect(await ctx.storage.countRecentActions('test_action', hash, before)).toBe(2);
    expect(await ctx.storage.countRecentActions('other_action', hash, before)).toBe(0);
    expect(
      await ctx.storage.countRecentActions('test_action', rateLimitHash(KEY, 'issuer', 'user2'), before),
    ).toBe(0);
    // Strictly after `since`: nothing counts from the future.
    expect(await ctx.storage.countRecentActions('test_action', hash, new Date(Date.now() + 60_000))).toBe(0);
    expect(await ctx.storage.cleanupExpiredActions(before)).toBe(0);
    expect(await ctx.storage.cleanupExpiredActions(new Date(Date.now() + 60_000))).toBe(2);
    expect(await ctx.storage.countRecentActions('test_action', hash, before)).toBe(0);
  });

  it('STORE-RATE-03 an over-long action or actor is a database error', async () => {
    await expectKind(ctx.storage.recordAction('a'.repeat(33), 'h'), 'Database');
    await expectKind(ctx.storage.recordAction('a', 'h'.repeat(65)), 'Database');
  });

  it('R12 STORE-RATE-05 try_record_action records only under the limit, per action and actor', async () => {
    const rule = {
      action: 'invitation',
      actorHash: rateLimitHash(KEY, 'i', 'u'),
      limit: 3,
      windowSeconds: 3600,
    };
    const decisions = [];
    for (let i = 0; i < 5; i += 1) decisions.push(await ctx.storage.tryRecordAction(rule));
    expect(decisions).toEqual([
      { allowed: true, count: 0 },
      { allowed: true, count: 1 },
      { allowed: true, count: 2 },
      { allowed: false, count: 3 },
      { allowed: false, count: 3 },
    ]);
    expect((await ctx.storage.tryRecordAction({ ...rule, action: 'membership_append' })).allowed).toBe(true);
    expect((await ctx.storage.tryRecordAction({ ...rule, actorHash: 'other' })).allowed).toBe(true);
    // A refund gives one slot back; rows older than the window do not count.
    await ctx.storage.refundAction(rule.action, rule.actorHash);
    expect(await ctx.storage.tryRecordAction(rule)).toEqual({ allowed: true, count: 2 });
    await ctx.t.executor.query(`UPDATE rate_limit_actions SET created_at = now() - interval '2 hours'`);
    expect(await ctx.storage.tryRecordAction(rule)).toEqual({ allowed: true, count: 0 });
  });
});
