import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectKind, useTestStorage } from './helpers.js';

const ctx = useTestStorage();

describe('spaces', () => {
  it('STORE-SPACE-04 STORE-SPACE-02 STORE-GEN-03 create and get round-trip with defaults (create_and_get_space_roundtrip)', async () => {
    const id = randomUUID();
    const created = await ctx.storage.createSpace(id, 'client-1');
    expect(created).toStrictEqual({
      id,
      client_id: 'client-1',
      key_generation: 1,
      min_key_generation: 1,
      metadata_version: 0,
      cursor: 0,
    });
    expect(await ctx.storage.getSpace(id)).toEqual(created);
  });

  it('STORE-SPACE-04 a shared space keeps its root key; ids come back lowercase', async () => {
    const id = randomUUID();
    const key = new Uint8Array(33).fill(2);
    const created = await ctx.storage.createSpace(id.toUpperCase(), 'client-1', key);
    expect(created.id).toBe(id);
    expect(created.root_public_key).toEqual(key);
  });

  it('STORE-SPACE-02 get_space of a missing id is SpaceNotFound (get_space_returns_not_found)', async () => {
    const error = await expectKind(ctx.storage.getSpace(randomUUID()), 'SpaceNotFound');
    expect(error.message).toBe('space not found');
  });

  it('STORE-SPACE-04 creating an existing space is SpaceExists (create_space_conflict_returns_space_exists)', async () => {
    const id = randomUUID();
    await ctx.storage.createSpace(id, 'client-1');
    const error = await expectKind(ctx.storage.createSpace(id, 'client-2'), 'SpaceExists');
    expect(error.message).toBe('space already exists');
  });

  it('STORE-SPACE-05 get_or_create_space is idempotent (get_or_create_space_is_idempotent)', async () => {
    const id = randomUUID();
    const first = await ctx.storage.getOrCreateSpace(id, 'client-1');
    const second = await ctx.storage.getOrCreateSpace(id, 'client-1');
    expect(second).toEqual(first);
    expect(first.root_public_key).toBeUndefined();
  });

  it('R11 STORE-SPACE-05 a personal-space lookup never hands out a shared space', async () => {
    const id = randomUUID();
    await ctx.storage.createSpace(id, 'owner', new Uint8Array(33).fill(3));
    const error = await expectKind(ctx.storage.getOrCreateSpace(id, 'squatter'), 'SpaceNotPersonal');
    expect(error.message).toBe('space is not a personal space');
    // The shared space is untouched.
    expect((await ctx.storage.getSpace(id)).client_id).toBe('owner');
  });

  it('STORE-SPACE-03 get_spaces omits missing ids (get_spaces_omits_missing_ids)', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await ctx.storage.createSpace(a, 'a');
    await ctx.storage.createSpace(b, 'b');
    const found = await ctx.storage.getSpaces([a, b, randomUUID(), a]);
    expect([...found.keys()].sort()).toEqual([a, b].sort());
    expect(found.get(b)?.client_id).toBe('b');
    expect((await ctx.storage.getSpaces([])).size).toBe(0);
  });

  it('STORE-SPACE-01 ping answers', async () => {
    await expect(ctx.storage.ping()).resolves.toBeUndefined();
  });

  it('STORE-FED-01 home server round-trip and SpaceNotFound (space_home_server_roundtrip)', async () => {
    const id = randomUUID();
    await ctx.storage.createSpace(id, 'client-1');
    expect(await ctx.storage.getSpaceHomeServer(id)).toBeUndefined();
    await ctx.storage.setSpaceHomeServer(id, 'https://example.test');
    expect(await ctx.storage.getSpaceHomeServer(id)).toBe('https://example.test');
    expect((await ctx.storage.getSpace(id)).home_server).toBe('https://example.test');
    await expectKind(ctx.storage.getSpaceHomeServer(randomUUID()), 'SpaceNotFound');
    await expectKind(ctx.storage.setSpaceHomeServer(randomUUID(), 'https://missing.test'), 'SpaceNotFound');
  });

  it('STORE-GEN-02 driver failures surface as Database errors with the driver message', async () => {
    const error = await expectKind(ctx.storage.getSpace('not-a-uuid'), 'Database');
    expect(error.message).toMatch(/^database error: .*uuid/);
  });
});
