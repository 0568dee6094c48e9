import { describe, expect, it } from 'vitest';
import { computeUcanCid, UcanError, UcanValidator } from '../src/index.js';
import { hoursFromNow, TEST_SPACE_ID, TestIssuer } from './helpers/ucan-issuer.js';

function chain() {
  const [root, delegate, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
  const rootToken = root.issue({ aud: delegate.did, cmd: '/space/admin', nonce: 'n1', exp: hoursFromNow(2) });
  const leaf = delegate.issue({
    aud: bearer.did,
    cmd: '/space/write',
    nonce: 'n2',
    prf: [rootToken],
    exp: hoursFromNow(1),
  });
  return {
    root,
    rootToken,
    leaf,
    params: {
      token: leaf,
      expectedAudience: bearer.did,
      requiredPermission: 'write' as const,
      spaceId: TEST_SPACE_ID,
      rootPublicKey: root.compressedPublicKey,
    },
  };
}

describe('UcanValidator (cached parsing)', () => {
  it('UCAN-05 validates like validateChain and reuses verified tokens', async () => {
    const { params, leaf, rootToken } = chain();
    const validator = new UcanValidator();
    const first = await validator.validateChain(params);
    const second = await validator.validateChain(params);
    expect(second).toEqual(first);
    expect(first.cids).toEqual([computeUcanCid(leaf), computeUcanCid(rootToken)]);
    expect(validator.parse(leaf)).toBe(validator.parse(leaf));
  });

  it('UCAN-10 UCAN-12 cached tokens still go through the clock and the revocation callback', async () => {
    const { params } = chain();
    let now = Date.now();
    const validator = new UcanValidator({ now: () => now });
    await validator.validateChain(params);
    await expect(validator.validateChain({ ...params, isRevoked: () => true })).rejects.toMatchObject({
      kind: 'UcanRevoked',
    });
    now += 3 * 3600_000;
    await expect(validator.validateChain(params)).rejects.toMatchObject({ kind: 'UcanExpired' });
    await expect(validator.validateChain({ ...params, now: Date.now() })).resolves.toBeDefined();
  });

  it('UCAN-03 failures are not cached and a forged token never benefits from a cached issuer key', async () => {
    const { params, leaf } = chain();
    const validator = new UcanValidator({ maxCachedTokens: 0 });
    await validator.validateChain(params);
    const [h, p] = leaf.split('.') as [string, string];
    const forged = `${h}.${p}.${Buffer.alloc(64, 1).toString('base64url')}`;
    expect(() => validator.parse(forged)).toThrow(UcanError);
    expect(() => validator.parse(forged)).toThrow(UcanError);
    await expect(validator.validateChain({ ...params, token: forged })).rejects.toMatchObject({
      kind: 'InvalidUcan',
    });
  });

  it('UCAN-05 cache bounds and configuration', async () => {
    expect(() => new UcanValidator({ maxCachedTokens: -1 })).toThrow('non-negative');
    expect(() => new UcanValidator({ maxCacheTtlMs: Number.NaN })).toThrow('non-negative');
    const { params } = chain();
    const tiny = new UcanValidator({ maxCachedTokens: 1, maxCachedKeys: 1, maxCacheTtlMs: 1 });
    await tiny.validateChain(params);
    await tiny.validateChain(params);
  });
});
