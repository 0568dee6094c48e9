import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytes, createSpace, expectKind, fill, memberEntry, useTestStorage } from './helpers.js';

const none = new Uint8Array(0);

describe('membership log', () => {
  const ctx = useTestStorage();

  it('STORE-MEM-01 STORE-MEM-02 appends chain, bump the version and the cursor (append_member_chains_and_updates_metadata_version)', async () => {
    const space = await createSpace(ctx.storage);
    const hash1 = fill(32, 0x11);
    const first = await ctx.storage.appendMember(space, 0, memberEntry(none, hash1, 'entry-1'));
    expect(first).toEqual({ chainSeq: 1, cursor: 1, metadataVersion: 1 });
    const hash2 = fill(32, 0x22);
    const second = await ctx.storage.appendMember(space, 1, memberEntry(hash1, hash2, 'entry-2'));
    expect(second).toEqual({ chainSeq: 2, cursor: 2, metadataVersion: 2 });
    const members = await ctx.storage.getMembers(space, 0);
    expect(members).toEqual([
      { spaceId: space, chainSeq: 1, cursor: 1, prevHash: none, entryHash: hash1, payload: bytes('entry-1') },
      {
        spaceId: space,
        chainSeq: 2,
        cursor: 2,
        prevHash: hash1,
        entryHash: hash2,
        payload: bytes('entry-2'),
      },
    ]);
    const space2 = await ctx.storage.getSpace(space);
    expect([space2.metadata_version, space2.cursor]).toEqual([2, 2]);
  });

  it('STORE-MEM-01 version CAS first, then the hash chain (append_member_rejects_cas_and_hash_chain_conflicts)', async () => {
    const space = await createSpace(ctx.storage);
    const cas = await expectKind(
      ctx.storage.appendMember(space, 999, memberEntry(bytes('bad'), fill(32, 0x33), 'x')),
      'VersionConflict',
    );
    expect(cas.message).toBe('metadata version conflict');
    const first = await expectKind(
      ctx.storage.appendMember(space, 0, memberEntry(bytes('should-not-exist'), fill(32, 0x44), 'entry')),
      'HashChainBroken',
    );
    expect(first.message).toBe('hash chain broken');
    await ctx.storage.appendMember(space, 0, memberEntry(none, fill(32, 0x55), 'entry-1'));
    await expectKind(
      ctx.storage.appendMember(space, 1, memberEntry(bytes('wrong-prev-hash'), fill(32, 0x66), 'entry-2')),
      'HashChainBroken',
    );
    await expectKind(
      ctx.storage.appendMember(space, 1, memberEntry(none, fill(32, 0x66), 'entry-2')),
      'HashChainBroken',
    );
    // Failed appends used no cursor and no version.
    const after = await ctx.storage.getSpace(space);
    expect([after.metadata_version, after.cursor]).toEqual([1, 1]);
  });

  it('STORE-MEM-01 STORE-MEM-02 a missing space is SpaceNotFound (append_member_and_get_members_require_existing_space)', async () => {
    const missing = randomUUID();
    await expectKind(
      ctx.storage.appendMember(missing, 0, memberEntry(none, fill(32, 0x11), 'entry')),
      'SpaceNotFound',
    );
    await expectKind(ctx.storage.getMembers(missing, 0), 'SpaceNotFound');
  });

  it('STORE-MEM-02 since filters by chain_seq (get_members_with_since)', async () => {
    const space = await createSpace(ctx.storage);
    let prev = none;
    for (let i = 1; i <= 3; i += 1) {
      const hash = fill(32, i);
      await ctx.storage.appendMember(space, i - 1, memberEntry(prev, hash, `entry ${i}`));
      prev = hash;
    }
    const entries = await ctx.storage.getMembers(space, 2);
    expect(entries.map((e) => e.chainSeq)).toEqual([3]);
  });

  it('STORE-MEM-02 an empty log (get_members_empty)', async () => {
    const space = await createSpace(ctx.storage);
    expect(await ctx.storage.getMembers(space, 0)).toEqual([]);
  });
});
