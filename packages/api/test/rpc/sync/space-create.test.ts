import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TestServer, UcanKey } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const rootKey = (): Uint8Array => new UcanKey().compressedPublicKey;

describe('space.create (RPC-SPACE-1, R11, R12)', () => {
  it('RPC-SPACE-1 websocket_space_create_returns_id_and_key_generation (id canonical, root key stored)', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const id = randomUUID();
    const key = rootKey();
    expect(await c.call('space.create', { id: id.toUpperCase(), root_public_key: key })).toEqual({
      id,
      key_generation: 1,
    });
    const rows = await server.query<{ client_id: string; root_public_key: Uint8Array; cursor: string }>(
      'SELECT client_id, root_public_key, cursor::text FROM spaces WHERE id = $1',
      [id],
    );
    // pg returns a Buffer, PGlite a Uint8Array: compare the bytes.
    expect(rows.map((r) => ({ ...r, root_public_key: Buffer.from(r.root_public_key) }))).toEqual([
      { client_id: alice.clientId, root_public_key: Buffer.from(key), cursor: '0' },
    ]);
  });

  it('RPC-SPACE-1 websocket_space_create_invalid_space_id_returns_bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    expect((await c.request('space.create', { id: 'space-1', root_public_key: rootKey() })).error).toEqual({
      code: 'bad_request',
      message: 'invalid space id',
    });
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('RPC-SPACE-1 websocket_space_create_empty_root_public_key / wrong_size / not_compressed return bad_request', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const uncompressed = new Uint8Array(65).fill(1);
    uncompressed[0] = 0x04;
    const prefixed04 = rootKey();
    prefixed04[0] = 0x04;
    for (const key of [
      new Uint8Array(0),
      new Uint8Array(32).fill(2),
      rootKey().subarray(0, 32),
      prefixed04,
      uncompressed,
    ]) {
      expect((await c.request('space.create', { id: randomUUID(), root_public_key: key })).error).toEqual({
        code: 'bad_request',
        message: 'invalid root public key',
      });
    }
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('RPC-SPACE-1 websocket_space_create_conflict_returns_conflict_error and keeps the first key', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const id = randomUUID();
    const first = rootKey();
    await c.call('space.create', { id, root_public_key: first });
    expect((await c.request('space.create', { id, root_public_key: rootKey() })).error).toEqual({
      code: 'conflict',
      message: 'space already exists',
    });
    const rows = await server.query<{ root_public_key: Uint8Array }>(
      'SELECT root_public_key FROM spaces WHERE id = $1',
      [id],
    );
    expect(rows.map((r) => Buffer.from(r.root_public_key))).toEqual([Buffer.from(first)]);
  });

  it('RPC-SPACE-1 WS-FRAME-4 websocket_space_create_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const id = randomUUID();
    for (const params of [
      undefined,
      {},
      { id },
      { root_public_key: rootKey() },
      { id, root_public_key: 'AAAA' },
      { id: 1, root_public_key: rootKey() },
    ]) {
      expect((await c.request('space.create', params)).error).toEqual({
        code: 'invalid_params',
        message: 'invalid space create params',
      });
    }
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('R12 R11 space.create is rate limited per user, atomically, and configurable', async () => {
    server = await TestServer.start({ rateLimits: { spaceCreate: { max: 3, windowSeconds: 3600 } } });
    const alice = server.user('alice');
    const a1 = await server.connect(alice);
    const a2 = await server.connect(alice);
    const attempts = Array.from({ length: 8 }, (_, i) =>
      (i % 2 === 0 ? a1 : a2).request('space.create', { id: randomUUID(), root_public_key: rootKey() }),
    );
    const replies = await Promise.all(attempts);
    expect(replies.filter((r) => r.result !== undefined)).toHaveLength(3);
    for (const r of replies.filter((r) => r.error !== undefined)) {
      expect(r.error).toEqual({
        code: 'rate_limited',
        message: 'rate limit exceeded: max 3 space creations per hour',
      });
    }
    expect(await server.query('SELECT id FROM spaces')).toHaveLength(3);
    // Another user has a budget of their own.
    const bob = await server.connect(server.user('bob'));
    expect(await bob.call('space.create', { id: randomUUID(), root_public_key: rootKey() })).toMatchObject({
      key_generation: 1,
    });
  });

  it('R12 a limit of 0 turns it off; a failed create gives the counted action back', async () => {
    server = await TestServer.start({
      rateLimits: { spaceCreate: { max: 1, windowSeconds: 60 } },
      wrapStorage: (s) => {
        let failures = 1;
        return {
          ...s,
          createSpace: async (...args) => {
            if (failures-- > 0) throw new Error('lost connection');
            return s.createSpace(...args);
          },
        };
      },
    });
    const c = await server.connect(server.user());
    expect((await c.request('space.create', { id: randomUUID(), root_public_key: rootKey() })).error).toEqual(
      {
        code: 'internal',
        message: 'failed to create space',
      },
    );
    // The failed attempt was refunded, so the single allowed creation is still available.
    expect(await c.call('space.create', { id: randomUUID(), root_public_key: rootKey() })).toMatchObject({
      key_generation: 1,
    });
    expect(
      (await c.request('space.create', { id: randomUUID(), root_public_key: rootKey() })).error?.message,
    ).toBe('rate limit exceeded: max 1 space creations per 60 seconds');
  });

  it('R12 rate limiting off (max 0) and a broken limiter store answers internal', async () => {
    server = await TestServer.start({
      rateLimits: { spaceCreate: { max: 0, windowSeconds: 3600 } },
    });
    const c = await server.connect(server.user());
    for (let i = 0; i < 3; i++)
      await c.call('space.create', { id: randomUUID(), root_public_key: rootKey() });
    await server.close();
    server = await TestServer.start({
      wrapStorage: (s) => ({
        ...s,
        tryRecordAction: async () => {
          throw new Error('db down');
        },
      }),
    });
    const c2 = await server.connect(server.user());
    expect(
      (await c2.request('space.create', { id: randomUUID(), root_public_key: rootKey() })).error,
    ).toEqual({
      code: 'internal',
      message: 'internal error',
    });
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('R11 squatting: space.create with another user’s personal space id is refused; the victim keeps its space', async () => {
    server = await TestServer.start();
    const victim = server.user('victim');
    const mallory = server.user('mallory');
    const cm = await server.connect(mallory);
    // Any spelling of the id is refused, and so is the caller's own personal id.
    for (const id of [
      victim.personalSpaceId,
      victim.personalSpaceId.toUpperCase(),
      mallory.personalSpaceId,
    ]) {
      expect((await cm.request('space.create', { id, root_public_key: rootKey() })).error).toEqual({
        code: 'bad_request',
        message: 'space id is reserved for personal spaces',
      });
    }
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
    const cv = await server.connect(victim);
    const sub = await cv.call('subscribe', { spaces: [{ id: victim.personalSpaceId, since: 0 }] });
    expect(sub.errors ?? []).toEqual([]);
    const record = randomUUID();
    const push = await cv.call('push', {
      space: victim.personalSpaceId,
      changes: [{ id: record, blob: new Uint8Array([1]), expected_cursor: 0 }],
    });
    expect(push).toMatchObject({ ok: true });
    expect(await server.query('SELECT id FROM records')).toEqual([{ id: record }]);
  });

  it('R11 squatting: a random (v4) id is still accepted, as the SDK creates them', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const id = randomUUID();
    expect(await c.call('space.create', { id, root_public_key: rootKey() })).toEqual({
      id,
      key_generation: 1,
    });
  });

  it('R11 squatting: an existing personal space cannot be re-created as a shared one', async () => {
    server = await TestServer.start();
    const victim = server.user('victim');
    const cv = await server.connect(victim);
    await cv.call('subscribe', { spaces: [{ id: victim.personalSpaceId, since: 0 }] });
    const cm = await server.connect(server.user('mallory'));
    expect(
      (await cm.request('space.create', { id: victim.personalSpaceId, root_public_key: rootKey() })).error,
    ).toEqual({
      code: 'bad_request',
      message: 'space id is reserved for personal spaces',
    });
    expect(
      await server.query('SELECT root_public_key FROM spaces WHERE id = $1', [victim.personalSpaceId]),
    ).toEqual([{ root_public_key: null }]);
  });
});
