import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSpace, expectKind, useTestStorage } from './helpers.js';

describe('revocations', () => {
  const ctx = useTestStorage();

  it('STORE-REV-01 revoke is idempotent and per space (revoke_ucan_roundtrip_and_space_isolation)', async () => {
    const a = await createSpace(ctx.storage);
    const b = await createSpace(ctx.storage);
    const cid = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
    expect(await ctx.storage.isRevoked(a, cid)).toBe(false);
    await ctx.storage.revokeUcan(a, cid);
    expect(await ctx.storage.isRevoked(a, cid)).toBe(true);
    expect(await ctx.storage.isRevoked(b, cid)).toBe(false);
    await ctx.storage.revokeUcan(a, cid);
    expect(await ctx.storage.isRevoked(a, cid)).toBe(true);
  });

  it('STORE-REV-01 revoking in an unknown space is a database error (foreign key)', async () => {
    await expectKind(ctx.storage.revokeUcan(randomUUID(), 'cid'), 'Database');
  });
});
