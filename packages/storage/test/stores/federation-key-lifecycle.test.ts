import { describe, expect, it } from 'vitest';
import { bytes, expectKind, useTestStorage } from './helpers.js';

const key = (kid: string, promote = false) => ({
  kid,
  privateKey: bytes(`private-${kid}`),
  publicKey: bytes(`public-${kid}`),
  promote,
});

describe('federation key lifecycle (R27, FED-KEY-01, FED-KEY-03)', () => {
  const ctx = useTestStorage();

  it('R27 FED-KEY-01 the first key becomes primary; later keys only with promote; the old key stays active', async () => {
    const s = ctx.storage;
    expect(await s.createFederationKey(key('a'))).toEqual({ promoted: true, primaryKid: 'a' });
    expect(await s.createFederationKey(key('b'))).toEqual({ promoted: false, primaryKid: 'a' });
    expect((await s.getFederationSigningKey())?.kid).toBe('a');

    expect(await s.createFederationKey(key('c', true))).toEqual({ promoted: true, primaryKid: 'c' });
    expect(await s.getFederationSigningKey()).toEqual({
      kid: 'c',
      privateKey: bytes('private-c'),
      publicKey: bytes('public-c'),
    });
    // FED-KEY-03 overlap window: every earlier key is still published.
    expect((await s.listFederationPublicKeys()).map((k) => k.kid)).toEqual(['a', 'b', 'c']);
  });

  it('R27 a reused kid is FederationKeyExists and stores nothing, primary unchanged', async () => {
    const s = ctx.storage;
    await s.createFederationKey(key('a'));
    const error = await expectKind(
      s.createFederationKey({ ...key('a', true), privateKey: bytes('other') }),
      'FederationKeyExists',
    );
    expect(error.message).toBe('federation key already exists: a');
    expect(await s.getFederationPrivateKey('a')).toEqual(bytes('private-a'));
    expect((await s.getFederationSigningKey())?.kid).toBe('a');
  });

  it('R27 a deactivated primary does not block: the next key becomes primary without promote', async () => {
    const s = ctx.storage;
    await s.createFederationKey(key('a'));
    await s.deactivateFederationKey('a');
    expect(await s.createFederationKey(key('b'))).toEqual({ promoted: true, primaryKid: 'b' });
  });

  it('R27 concurrent keygens on an empty database make exactly one primary and lose no key', async () => {
    const s = ctx.storage;
    const kids = Array.from({ length: 8 }, (_, i) => `k${i}`);
    const results = await Promise.all(kids.map((kid) => s.createFederationKey(key(kid))));
    expect(results.filter((r) => r.promoted)).toHaveLength(1);
    const primary = (await s.getFederationSigningKey())?.kid;
    expect(results.every((r) => r.primaryKid === primary)).toBe(true);
    expect((await s.listFederationPublicKeys()).map((k) => k.kid).sort()).toEqual(kids);
  });

  it('R27 concurrent promoting keygens leave exactly one primary, the last one to commit', async () => {
    const s = ctx.storage;
    await s.createFederationKey(key('base'));
    const kids = Array.from({ length: 6 }, (_, i) => `p${i}`);
    const results = await Promise.all(kids.map((kid) => s.createFederationKey(key(kid, true))));
    expect(results.every((r) => r.promoted)).toBe(true);
    const primary = (await s.getFederationSigningKey())?.kid;
    expect(kids).toContain(primary);
    expect(await s.listFederationPublicKeys()).toHaveLength(7);
  });

  it('FED-KEY-03 retiring ends the overlap window; the primary and unknown kids are refused', async () => {
    const s = ctx.storage;
    await s.createFederationKey(key('old'));
    await s.createFederationKey(key('new', true));
    const refused = await expectKind(s.retireFederationKey('new'), 'FederationKeyIsPrimary');
    expect(refused.message).toBe('federation key is the primary signing key: new');
    await expectKind(s.retireFederationKey('missing'), 'FederationKeyNotFound');

    await s.retireFederationKey('old');
    await s.retireFederationKey('old');
    expect((await s.listFederationPublicKeys()).map((k) => k.kid)).toEqual(['new']);
    expect((await s.getFederationSigningKey())?.kid).toBe('new');
    // Its material is kept, and it can be promoted back if a rollback is needed.
    expect(await s.getFederationPrivateKey('old')).toEqual(bytes('private-old'));
  });
});
