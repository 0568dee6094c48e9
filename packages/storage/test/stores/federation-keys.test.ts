import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytes, expectKind, useTestStorage } from './helpers.js';

describe('federation signing keys', () => {
  const ctx = useTestStorage();

  it('STORE-FED-02 STORE-FED-05 STORE-FED-06 STORE-FED-07 STORE-FED-08 rotation keeps the overlap window and promotes the new primary (federation_keys_rotation_keeps_overlap_window_and_promotes_new_primary)', async () => {
    const s = ctx.storage;
    const missing = await expectKind(s.getFederationPrivateKey('fed-missing'), 'FederationKeyNotFound');
    expect(missing.message).toBe('federation key not found');
    expect(await s.getFederationSigningKey()).toBeUndefined();

    const kidA = `fed-${randomUUID()}`;
    const kidB = `fed-${randomUUID()}`;
    const privateA = bytes('test-private-key-seed-32-bytes!!');
    const publicA = bytes('test-public-key-32-bytes-here!!!');
    const privateB = bytes('second-seed-32-bytes-long!!!!!!');
    const publicB = bytes('second-pub-key-32-bytes-long!!!');

    await s.ensureFederationKey(kidA, privateA, publicA);
    expect(await s.getFederationSigningKey()).toEqual({
      kid: kidA,
      privateKey: privateA,
      publicKey: publicA,
    });
    // Ensuring an existing kid changes nothing.
    await s.ensureFederationKey(kidA, bytes('different-seed-32-bytes-long!!!!'), publicA);
    expect(await s.getFederationPrivateKey(kidA)).toEqual(privateA);

    await s.ensureFederationKey(kidB, privateB, publicB);
    expect((await s.getFederationSigningKey())?.kid).toBe(kidA);
    await s.setFederationPrimaryKey(kidB);
    expect(await s.getFederationSigningKey()).toEqual({
      kid: kidB,
      privateKey: privateB,
      publicKey: publicB,
    });

    // Overlap window: the old key stays published until it is deactivated.
    const published = await s.listFederationPublicKeys();
    expect(published.map((k) => k.kid).sort()).toEqual([kidA, kidB].sort());
    expect(published.find((k) => k.kid === kidA)?.publicKey).toEqual(publicA);
    await s.deactivateFederationKey(kidA);
    expect(await s.listFederationPublicKeys()).toEqual([{ kid: kidB, publicKey: publicB }]);
    // A deactivated key keeps its material.
    expect(await s.getFederationPrivateKey(kidA)).toEqual(privateA);
  });

  it('STORE-FED-03 STORE-FED-04 unknown kids are FederationKeyNotFound (federation_key_primary_and_deactivate_validate_target_kid)', async () => {
    await ctx.storage.ensureFederationKey('kept', bytes('p'), bytes('q'));
    await expectKind(ctx.storage.setFederationPrimaryKey('fed-missing'), 'FederationKeyNotFound');
    // The failed promotion rolled back: the previous primary is still primary.
    expect((await ctx.storage.getFederationSigningKey())?.kid).toBe('kept');
    await expectKind(ctx.storage.deactivateFederationKey('fed-missing'), 'FederationKeyNotFound');
  });

  it('STORE-FED-04 STORE-FED-03 STORE-FED-06 STORE-FED-07 deactivating the primary leaves none; promoting reactivates', async () => {
    await ctx.storage.ensureFederationKey('a', bytes('pa'), bytes('qa'));
    await ctx.storage.deactivateFederationKey('a');
    await ctx.storage.deactivateFederationKey('a');
    expect(await ctx.storage.getFederationSigningKey()).toBeUndefined();
    expect(await ctx.storage.listFederationPublicKeys()).toEqual([]);
    // With no active primary, the next new key becomes primary by itself.
    await ctx.storage.ensureFederationKey('b', bytes('pb'), bytes('qb'));
    expect((await ctx.storage.getFederationSigningKey())?.kid).toBe('b');
    await ctx.storage.setFederationPrimaryKey('a');
    expect((await ctx.storage.getFederationSigningKey())?.kid).toBe('a');
    expect((await ctx.storage.listFederationPublicKeys()).map((k) => k.kid).sort()).toEqual(['a', 'b']);
  });
});
