import { randomBytes } from 'node:crypto';
import { rateLimitHash } from '@less-sync/storage';
import { createTestStorage, type TestStorage } from '@less-sync/storage/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RATE_LIMIT_ACTION_NAMES,
  RateLimitExceededError,
  RateLimiter,
  RateLimitUnavailableError,
} from '../../src/ratelimit/index.js';

let t: TestStorage;
beforeEach(async () => {
  t = await createTestStorage({ maxConnections: 10 });
});
afterEach(async () => {
  await t.close();
});

const key = randomBytes(32);
const alice = { issuer: 'https://issuer.example', userId: 'alice' };
const limits = (max: number) => ({
  membershipAppend: { max, windowSeconds: 3600 },
  invitationCreate: { max, windowSeconds: 3600 },
  spaceCreate: { max, windowSeconds: 3600 },
});

describe('RateLimiter (RPC-RATE-1, R12)', () => {
  it('R12 concurrent callers can never exceed the limit', async () => {
    const limiter = new RateLimiter(t.storage, key, limits(5));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => limiter.consume('membershipAppend', alice)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(RateLimitExceededError);
      expect((r.reason as RateLimitExceededError).limit).toEqual({ max: 5, windowSeconds: 3600 });
    }
    const rows = await t.executor.query('SELECT action, actor_hash FROM rate_limit_actions');
    expect(rows.rows).toHaveLength(5);
    expect(rows.rows[0]).toEqual({
      action: 'membership_append',
      actor_hash: rateLimitHash(key, alice.issuer, alice.userId),
    });
  });

  it('RPC-RATE-1 actions and actors are counted separately; a refund gives one back', async () => {
    const limiter = new RateLimiter(t.storage, key, limits(1));
    const permit = await limiter.consume('invitationCreate', alice);
    await expect(limiter.consume('invitationCreate', alice)).rejects.toBeInstanceOf(RateLimitExceededError);
    await limiter.consume('spaceCreate', alice);
    await limiter.consume('invitationCreate', { ...alice, userId: 'bob' });
    await permit.refund();
    await limiter.consume('invitationCreate', alice);
    expect(RATE_LIMIT_ACTION_NAMES).toEqual({
      membershipAppend: 'membership_append',
      invitationCreate: 'invitation',
      spaceCreate: 'space_create',
    });
    expect(limiter.limit('spaceCreate')).toEqual({ max: 1, windowSeconds: 3600 });
  });

  it('R12 max 0 turns a limit off without touching storage; a storage failure is RateLimitUnavailableError', async () => {
    const off = new RateLimiter(
      {
        tryRecordAction: async () => {
          throw new Error('must not be called');
        },
        refundAction: async () => {},
      },
      key,
      limits(0),
    );
    const permit = await off.consume('spaceCreate', alice);
    await permit.refund();
    const broken = new RateLimiter(
      {
        tryRecordAction: async () => {
          throw new Error('db down');
        },
        refundAction: async () => {},
      },
      key,
      limits(3),
    );
    await expect(broken.consume('spaceCreate', alice)).rejects.toBeInstanceOf(RateLimitUnavailableError);
  });
});
