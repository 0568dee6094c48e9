import { mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalBlobStore, fileBlobKey, type LocalBlobStore } from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, expected, gatedBody, pattern, readAll, tempDir } from './support.js';

const KEY = fileBlobKey('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222');

/** Every file under `dir`, relative, including hidden temp files. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('FILES-12 local blob store', () => {
  let dir: string;
  let root: string;
  let store: LocalBlobStore;
  beforeEach(async () => {
    dir = await tempDir('less-sync-local-');
    root = join(dir, 'data', 'files');
    store = await createLocalBlobStore({ root });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates the root recursively and stores a blob at root + key', async () => {
    expect((await stat(root)).isDirectory()).toBe(true);
    await store.put(KEY, pattern(5), { size: 5, maxBytes: 5 });
    expect(await readFile(join(root, ...KEY.split('/')))).toEqual(expected(5));
    expect(await files(root)).toEqual([KEY]);
  });

  it('R21 a partial write is never visible: not at the key, not listed; a failure leaves no temp file', async () => {
    const gated = gatedBody(new Uint8Array(4096).fill(9));
    const put = store.put(KEY, gated.body, { size: 8192, maxBytes: 8192 });
    await gated.started;
    await sleep(20);
    expect(await store.exists(KEY)).toBe(false);
    expect(await store.get(KEY)).toBeUndefined();
    expect(await collect(store.list())).toEqual([]);
    const onDisk = await files(root);
    expect(onDisk).toHaveLength(1);
    expect(onDisk[0]).toMatch(/\/\.tmp-[0-9a-f]{24}$/);
    gated.fail(new Error('gone'));
    await expect(put).rejects.toMatchObject({ code: 'body_failed' });
    expect(await files(root)).toEqual([]);
  });

  it('R21 wrong-length and over-limit bodies leave nothing behind', async () => {
    const cases: Array<[AsyncIterable<Uint8Array>, number, number]> = [
      [pattern(2000), 1000, 5000],
      [pattern(500), 1000, 5000],
      [pattern(3000, 1000), 3000, 2000],
    ];
    for (const [body, size, maxBytes] of cases) {
      await expect(store.put(KEY, body, { size, maxBytes })).rejects.toMatchObject({
        code: expect.stringMatching(/^(size_mismatch|too_large)$/),
      });
      expect(await files(root)).toEqual([]);
    }
  });

  it('R21 a completed gated write appears whole at once', async () => {
    const gated = gatedBody(new Uint8Array(4096).fill(9));
    const put = store.put(KEY, gated.body, { size: 8192, maxBytes: 8192 });
    await gated.started;
    expect(await store.head(KEY)).toBeUndefined();
    gated.finish(new Uint8Array(4096).fill(8));
    expect(await put).toBe('created');
    expect(await store.head(KEY)).toEqual({ size: 8192 });
    expect(await files(root)).toEqual([KEY]);
  });

  it('FILES-12 concurrent create-only puts of one key: exactly one creates it, its bytes whole', async () => {
    const writers = Array.from({ length: 12 }, (_, i) => i);
    const outcomes = await Promise.all(
      writers.map((i) => store.put(KEY, pattern(200_000, 7_000, i), { size: 200_000, maxBytes: 200_000 })),
    );
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    const winner = outcomes.indexOf('created');
    expect((await readFile(join(root, ...KEY.split('/')))).equals(expected(200_000, winner))).toBe(true);
    expect(await files(root)).toEqual([KEY]);
  });

  it('R21 concurrent overwrites: the result is one writer’s bytes, never a mix', async () => {
    const writers = Array.from({ length: 8 }, (_, i) => i);
    await Promise.all(
      writers.map((i) =>
        store.put(KEY, pattern(150_000, 5_000, i), { size: 150_000, maxBytes: 150_000, overwrite: true }),
      ),
    );
    const bytes = await readFile(join(root, ...KEY.split('/')));
    expect(writers.some((i) => bytes.equals(expected(150_000, i)))).toBe(true);
    expect(await files(root)).toEqual([KEY]);
  });

  it('traversal: a symlinked directory pointing outside the root is refused', async () => {
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret'), 'top secret');
    await symlink(outside, join(root, 'link'));
    await expect(store.get('link/secret')).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(store.head('link/secret')).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(store.delete('link/secret')).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(store.put('link/new', pattern(1), { size: 1, maxBytes: 1 })).rejects.toMatchObject({
      code: 'invalid_key',
    });
    expect(await readdir(outside)).toEqual(['secret']);
    for (const key of ['../outside/secret', 'spaces/../../outside/secret', '/etc/passwd', 'a\\..\\..\\b']) {
      await expect(store.get(key)).rejects.toMatchObject({ code: 'invalid_key' });
    }
  });

  it('traversal: a symlinked blob file is not followed', async () => {
    await writeFile(join(dir, 'target'), 'outside');
    await symlink(join(dir, 'target'), join(root, 'alias'));
    expect(await store.get('alias')).toBeUndefined();
  });

  it('a key whose directory does not exist is absent; directories are not blobs', async () => {
    expect(await store.get('no/such/dir')).toBeUndefined();
    expect(await store.head('no/such/dir')).toBeUndefined();
    await store.delete('no/such/dir');
    await mkdir(join(root, 'adir'));
    expect(await store.get('adir')).toBeUndefined();
    expect(await store.exists('adir')).toBe(false);
  });

  it('a get stream can be abandoned half-way', async () => {
    await store.put(KEY, pattern(1_000_000), { size: 1_000_000, maxBytes: 1_000_000 });
    const got = await store.get(KEY);
    for await (const _ of got?.body ?? []) break;
    expect(got?.body.destroyed).toBe(true);
    expect((await readAll((await store.get(KEY))?.body as never)).length).toBe(1_000_000);
  });

  it('removeStaleTemp clears old temp files left by crashed writers, not fresh ones', async () => {
    await mkdir(join(root, 'spaces', 'x'), { recursive: true });
    const old = join(root, 'spaces', 'x', '.tmp-old');
    const fresh = join(root, 'spaces', 'x', '.tmp-fresh');
    await writeFile(old, 'a');
    await writeFile(fresh, 'b');
    const past = new Date(Date.now() - 3_600_000);
    await utimes(old, past, past);
    expect(await store.removeStaleTemp(60_000)).toBe(1);
    expect(await files(root)).toEqual(['spaces/x/.tmp-fresh']);
  });
});
