import { randomUUID } from 'node:crypto';
import { fileBlobKey } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestClient, TestServer, type TestUser } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const blob = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);
const dek = (epoch = 1): Uint8Array => {
  const out = new Uint8Array(44).fill(0xaa);
  new DataView(out.buffer).setInt32(0, epoch);
  return out;
};

async function* body(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function snapshot(s: TestServer) {
  return {
    spaces: await s.query('SELECT id, cursor, key_generation FROM spaces ORDER BY id'),
    records: await s.query('SELECT id, space_id, cursor, deleted, blob FROM records ORDER BY id'),
  };
}

async function personal(s: TestServer, user: TestUser): Promise<TestClient> {
  const c = await s.connect(user);
  await c.call('subscribe', { spaces: [{ id: user.personalSpaceId, since: 0 }] });
  return c;
}

describe('push (RPC-PUSH-*)', () => {
  it('RPC-PUSH-1 websocket_push_returns_cursor_on_success and writes the batch at one cursor', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await personal(server, alice);
    const [a, b] = [randomUUID(), randomUUID()];
    const result = await c.call('push', {
      space: alice.personalSpaceId,
      changes: [
        { id: a, blob: blob(1), expected_cursor: 0, dek: dek() },
        { id: b, blob: new Uint8Array(0), expected_cursor: 0 },
      ],
    });
    expect(result).toEqual({ ok: true, cursor: 1 });
    const rows = await server.query<{ id: string; cursor: string; deleted: boolean }>(
      'SELECT id, cursor::text, deleted FROM records ORDER BY cursor, id',
    );
    expect(rows.map((r) => [r.id, r.cursor, r.deleted]).sort()).toEqual(
      [
        [a, '1', false],
        [b, '1', false],
      ].sort(),
    );
    // An update reuses the record's cursor as expected_cursor (the SDK's sequence).
    expect(
      await c.call('push', {
        space: alice.personalSpaceId,
        changes: [{ id: a, blob: blob(2), expected_cursor: 1 }],
      }),
    ).toEqual({
      ok: true,
      cursor: 2,
    });
  });

  it('RPC-PUSH-1 an empty change list answers the current cursor and broadcasts nothing', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await personal(server, alice);
    const other = await personal(server, alice);
    await c.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    await other.nextNotification('sync');
    expect(await c.call('push', { space: alice.personalSpaceId, changes: [] })).toEqual({
      ok: true,
      cursor: 1,
    });
    await other.expectNoNotification('sync', 200);
  });

  it('RPC-PUSH-1 websocket_push_invalid_space_id_returns_bad_request_result', async () => {
    server = await TestServer.start();
    const c = await server.connect(server.user());
    const reply = await c.request('push', {
      space: 'nope',
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    expect(reply.result).toEqual({ ok: false, error: 'bad_request' });
    expect(await server.query('SELECT id FROM records')).toEqual([]);
  });

  it('RPC-PUSH-1 websocket_push_non_personal_space_without_ucan_returns_forbidden (and unknown spaces too)', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace();
    const c = await server.connect(alice);
    const before = await snapshot(server);
    const change = [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }];
    expect(await c.call('push', { space: shared.id, changes: change })).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await c.call('push', { space: randomUUID(), ucan: shared.grant(alice), changes: change })).toEqual(
      {
        ok: false,
        error: 'forbidden',
      },
    );
    // A read grant does not allow writing.
    expect(
      await c.call('push', { space: shared.id, ucan: shared.grant(alice, '/space/read'), changes: change }),
    ).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-PUSH-1 WS-FRAME-4 websocket_push_invalid_params_returns_invalid_params_error and changes nothing', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await personal(server, alice);
    const before = await snapshot(server);
    const space = alice.personalSpaceId;
    const id = randomUUID();
    const bad: unknown[] = [
      undefined,
      null,
      [],
      { space },
      { changes: [] },
      { space: 5, changes: [] },
      { space, changes: {} },
      { space, changes: [{ id, blob: blob(1) }] },
      { space, changes: [{ id, blob: 'text', expected_cursor: 0 }] },
      { space, changes: [{ id, blob: blob(1), expected_cursor: '0' }] },
      { space, changes: [{ id, blob: blob(1), expected_cursor: 1.1 }] },
      { space, changes: [{ id: 42, blob: blob(1), expected_cursor: 0 }] },
      { space, changes: [{ id, blob: blob(1), expected_cursor: 0, dek: [1, 2] }] },
      { space, ucan: 9, changes: [] },
    ];
    for (const params of bad) {
      const reply = await c.request('push', params);
      expect(reply.error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid push params',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-PUSH-1 websocket_push_conflict_returns_conflict_result: all or nothing', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await personal(server, alice);
    const taken = randomUUID();
    await c.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id: taken, blob: blob(1), expected_cursor: 0 }],
    });
    const before = await snapshot(server);
    const reply = await c.request('push', {
      space: alice.personalSpaceId,
      changes: [
        { id: randomUUID(), blob: blob(2), expected_cursor: 0 },
        { id: taken, blob: blob(3), expected_cursor: 0 },
      ],
    });
    // `cursor` is omitted on failure.
    expect(reply.result).toEqual({ ok: false, error: 'conflict' });
    const stale = await c.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id: taken, blob: blob(4), expected_cursor: 7 }],
    });
    expect(stale).toEqual({ ok: false, error: 'conflict' });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-PUSH-1 R20 a record id used in another space is a conflict, not an internal error', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const ca = await personal(server, alice);
    const cb = await personal(server, bob);
    const id = randomUUID();
    await ca.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id, blob: blob(1), expected_cursor: 0 }],
    });
    expect(
      await cb.call('push', {
        space: bob.personalSpaceId,
        changes: [{ id, blob: blob(1), expected_cursor: 0 }],
      }),
    ).toEqual({
      ok: false,
      error: 'conflict',
    });
  });

  it('RPC-PUSH-1 bad record ids, duplicates and oversize batches are refused and change nothing', async () => {
    server = await TestServer.start({
      storage: { limits: { maxBlobBytes: 8, maxRecordsPerPush: 3, maxPushPayloadBytes: 20 } },
    });
    const alice = server.user();
    const c = await personal(server, alice);
    const before = await snapshot(server);
    const space = alice.personalSpaceId;
    const dup = randomUUID();
    const cases: Array<[unknown[], string]> = [
      [[{ id: 'not-a-uuid', blob: blob(1), expected_cursor: 0 }], 'bad_request'],
      [[{ id: randomUUID().replaceAll('-', ''), blob: blob(1), expected_cursor: 0 }], 'bad_request'],
      [
        [
          { id: dup, blob: blob(1), expected_cursor: 0 },
          { id: dup, blob: blob(2), expected_cursor: 0 },
        ],
        'bad_request',
      ],
      [[{ id: randomUUID(), blob: new Uint8Array(9), expected_cursor: 0 }], 'payload_too_large'],
      [
        Array.from({ length: 4 }, () => ({ id: randomUUID(), blob: blob(1), expected_cursor: 0 })),
        'payload_too_large',
      ],
      [
        Array.from({ length: 3 }, () => ({ id: randomUUID(), blob: new Uint8Array(8), expected_cursor: 0 })),
        'payload_too_large',
      ],
    ];
    for (const [changes, error] of cases) {
      expect(await c.call('push', { space, changes })).toEqual({ ok: false, error });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-PUSH-1 a storage failure is an internal result, logged', async () => {
    server = await TestServer.start({
      wrapStorage: (s) => ({
        ...s,
        push: async () => {
          throw new Error('disk on fire');
        },
      }),
    });
    const alice = server.user();
    const c = await server.connect(alice);
    expect(
      await c.call('push', {
        space: alice.personalSpaceId,
        changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
      }),
    ).toEqual({
      ok: false,
      error: 'internal',
    });
    expect(server.logged('push failed')).toBeDefined();
  });
});

describe('push broadcasts (RPC-PUSH-3, R5, R6, R19)', () => {
  it('RPC-PUSH-3 websocket_push_broadcasts_sync_to_other_subscribers, including the same user’s other connections', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const sender = await personal(server, alice);
    const phone = await personal(server, alice);
    const id = randomUUID();
    await sender.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id, blob: blob(5), expected_cursor: 0, dek: dek() }],
    });
    const sync = await phone.nextNotification('sync');
    expect(sync.params).toEqual({
      space: alice.personalSpaceId,
      prev: 0,
      cursor: 1,
      key_generation: 1,
      records: [{ id, blob: blob(5), cursor: 1, dek: dek() }],
    });
    await sender.expectNoNotification('sync', 200);
  });

  it('RPC-PUSH-3 the pusher’s response goes out before the broadcast starts and never waits for it', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const sender = await personal(server, alice);
    const phone = await personal(server, alice);
    // Hold the fan-out until released: the response must not depend on it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const broker = server.broker;
    const broadcast = broker.broadcastSpace.bind(broker);
    let started = false;
    broker.broadcastSpace = async (...args) => {
      started = true;
      await held;
      return broadcast(...args);
    };
    const reply = await sender.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    expect(reply).toEqual({ ok: true, cursor: 1 });
    await phone.expectNoNotification('sync', 100);
    release();
    expect((await phone.nextNotification('sync')).params).toMatchObject({ cursor: 1 });
    expect(started).toBe(true);
  });

  it('R6 sync carries the space’s real key_generation and rewrap_epoch; tombstones are deleted without a blob', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const sender = await personal(server, alice);
    const reader = await personal(server, alice);
    await server.query('UPDATE spaces SET key_generation = 3, rewrap_epoch = 3, cursor = 10 WHERE id = $1', [
      alice.personalSpaceId,
    ]);
    const id = randomUUID();
    await sender.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id, blob: blob(1), expected_cursor: 0 }],
    });
    await reader.nextNotification('sync');
    // The SDK sends `blob: null` for a delete.
    await sender.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id, blob: null, expected_cursor: 11 }],
    });
    const sync = await reader.nextNotification('sync');
    expect(sync.params).toEqual({
      space: alice.personalSpaceId,
      prev: 11,
      cursor: 12,
      key_generation: 3,
      rewrap_epoch: 3,
      records: [{ id, cursor: 12, deleted: true }],
    });
    const rows = await server.query<{ deleted: boolean; blob: unknown }>(
      'SELECT deleted, blob FROM records WHERE id = $1',
      [id],
    );
    expect(rows).toEqual([{ deleted: true, blob: null }]);
  });

  it('R19 RT-2 a tombstone removes the record’s files: metadata at once, a `file` deleted notification, blobs after commit', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const sender = await personal(server, alice);
    const reader = await personal(server, alice);
    const space = alice.personalSpaceId;
    const record = randomUUID();
    const file = randomUUID();
    await sender.call('push', { space, changes: [{ id: record, blob: blob(1), expected_cursor: 0 }] });
    await reader.nextNotification('sync');
    await server.storage.recordFile(space, file, record, 3, dek());
    const blobs = server.blobs!;
    await blobs.put(fileBlobKey(space, file), body(blob(1, 2, 3)), { size: 3, maxBytes: 100 });
    expect(await blobs.exists(fileBlobKey(space, file))).toBe(true);

    const result = await sender.call('push', { space, changes: [{ id: record, expected_cursor: 1 }] });
    expect(result).toEqual({ ok: true, cursor: 3 });
    const notice = await reader.nextNotification('file');
    expect(notice.params).toEqual({
      space,
      cursor: 3,
      files: [{ id: file, record_id: record, deleted: true }],
    });
    await server.services.background.idle();
    expect(await blobs.exists(fileBlobKey(space, file))).toBe(false);
    expect(await server.query('SELECT deleted FROM files WHERE id = $1', [file])).toEqual([
      { deleted: true },
    ]);
    await sender.expectNoNotification('file', 100);
  });

  it('RPC-PUSH-3 R22 with nobody else subscribed nothing is broadcast, yet removed files’ blobs are deleted', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const sender = await personal(server, alice);
    const space = alice.personalSpaceId;
    const broker = server.broker;
    const broadcast = broker.broadcastSpace.bind(broker);
    const published: number[] = [];
    broker.broadcastSpace = async (...args) => {
      published.push(await broadcast(...args));
      return published.at(-1) ?? 0;
    };
    const record = randomUUID();
    const file = randomUUID();
    await sender.call('push', { space, changes: [{ id: record, blob: blob(1), expected_cursor: 0 }] });
    await server.storage.recordFile(space, file, record, 3, dek());
    const blobs = server.blobs!;
    await blobs.put(fileBlobKey(space, file), body(blob(1, 2, 3)), { size: 3, maxBytes: 100 });
    expect(await sender.call('push', { space, changes: [{ id: record, expected_cursor: 1 }] })).toEqual({
      ok: true,
      cursor: 3,
    });
    await server.services.background.idle();
    expect(await blobs.exists(fileBlobKey(space, file))).toBe(false);
    expect(published).toEqual([]);
    // A second device makes an audience again: the next push is broadcast to it.
    const phone = await personal(server, alice);
    await sender.call('push', { space, changes: [{ id: randomUUID(), blob: blob(2), expected_cursor: 0 }] });
    expect((await phone.nextNotification('sync')).params).toMatchObject({ cursor: 4 });
    expect(published).toEqual([1]);
  });

  it('R19 several tombstones in one batch report each file with its own record', async () => {
    server = await TestServer.start({ blobs: false });
    const alice = server.user();
    const sender = await personal(server, alice);
    const reader = await personal(server, alice);
    const space = alice.personalSpaceId;
    const [r1, r2, r3] = [randomUUID(), randomUUID(), randomUUID()];
    const [f1, f2] = [randomUUID(), randomUUID()];
    await sender.call('push', {
      space,
      changes: [r1, r2, r3].map((id) => ({ id, blob: blob(1), expected_cursor: 0 })),
    });
    await server.storage.recordFile(space, f1, r1, 10, dek());
    await server.storage.recordFile(space, f2, r2, 20, dek());
    const result = await sender.call('push', {
      space,
      changes: [
        { id: r1, expected_cursor: 1 },
        { id: r2, blob: null, expected_cursor: 1 },
        { id: r3, blob: blob(9), expected_cursor: 1 },
      ],
    });
    expect(result).toEqual({ ok: true, cursor: 4 });
    const notice = await reader.nextNotification('file').catch((err) => {
      throw new Error(`${err}: ${JSON.stringify(server.logs.map((l) => [l.message, String(l.fields.err)]))}`);
    });
    const files = (notice.params.files as { id: string; record_id: string }[]).sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    expect(files).toEqual(
      [
        { id: f1, record_id: r1, deleted: true },
        { id: f2, record_id: r2, deleted: true },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('R19 a blob that cannot be deleted is logged, and the push still succeeds', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await personal(server, alice);
    const space = alice.personalSpaceId;
    const record = randomUUID();
    await c.call('push', { space, changes: [{ id: record, blob: blob(1), expected_cursor: 0 }] });
    await server.storage.recordFile(space, randomUUID(), record, 1, dek());
    const blobs = server.blobs!;
    blobs.delete = async () => {
      throw new Error('object store down');
    };
    expect(await c.call('push', { space, changes: [{ id: record, expected_cursor: 1 }] })).toEqual({
      ok: true,
      cursor: 3,
    });
    await server.services.background.idle();
    expect(server.logged('background task failed')?.fields.task).toBe('delete removed file blobs');
  });

  it('RPC-PUSH-3 a failure after commit is logged and the pusher still gets its cursor', async () => {
    server = await TestServer.start({
      blobs: false,
      wrapStorage: (s) => ({
        ...s,
        streamPull: async () => {
          throw new Error('read-back failed');
        },
      }),
    });
    const alice = server.user();
    const c = await server.connect(alice);
    // Another device listens, so the notification (and its read-back) runs.
    await personal(server, alice);
    const space = alice.personalSpaceId;
    const [r1, r2] = [randomUUID(), randomUUID()];
    await c.call('push', {
      space,
      changes: [r1, r2].map((id) => ({ id, blob: blob(1), expected_cursor: 0 })),
    });
    await server.storage.recordFile(space, randomUUID(), r1, 1, dek());
    const result = await c.call('push', {
      space,
      changes: [
        { id: r1, expected_cursor: 1 },
        { id: r2, expected_cursor: 1 },
      ],
    });
    expect(result).toEqual({ ok: true, cursor: 3 });
    await server.services.background.idle();
    expect(server.logged('post-push notification failed')).toBeDefined();
  });

  it('R19 blob deletion runs under the upload lock and spares a file that was re-uploaded meanwhile', async () => {
    const keys: string[] = [];
    server = await TestServer.start();
    const alice = server.user();
    const c = await personal(server, alice);
    const space = alice.personalSpaceId;
    const record = randomUUID();
    const file = randomUUID();
    await c.call('push', { space, changes: [{ id: record, blob: blob(1), expected_cursor: 0 }] });
    await server.storage.recordFile(space, file, record, 3, dek());
    const blobs = server.blobs!;
    await blobs.put(fileBlobKey(space, file), body(blob(1, 2, 3)), { size: 3, maxBytes: 100 });
    // The lock is held while the record is revived and the file re-recorded, as an upload would.
    (server.services.deps as { uploadLock?: unknown }).uploadLock = {
      run: async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
        keys.push(key);
        await server.storage.push(space, [{ id: record, blob: blob(2), cursor: 2 }]);
        await server.storage.recordFile(space, file, record, 3, dek());
        return fn();
      },
    };
    await c.call('push', { space, changes: [{ id: record, expected_cursor: 1 }] });
    await server.services.background.idle();
    expect(keys).toEqual([fileBlobKey(space, file)]);
    expect(await blobs.exists(fileBlobKey(space, file))).toBe(true);
  });

  it('metrics: records accepted by a push and sent by a pull are counted', async () => {
    server = await TestServer.start();
    const counts: string[] = [];
    (server.services as { metrics: object }).metrics = {
      pushRecords: (n: number) => counts.push(`push ${n}`),
      pullRecords: (n: number) => counts.push(`pull ${n}`),
      notification: (method: string, n: number) => counts.push(`${method} ${n}`),
    };
    const alice = server.user();
    const c = await server.connect(alice);
    await personal(server, alice);
    await c.call('push', {
      space: alice.personalSpaceId,
      changes: [1, 2].map((n) => ({ id: randomUUID(), blob: blob(n), expected_cursor: 0 })),
    });
    await server.services.background.idle();
    await c.request('pull', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    expect(counts).toEqual(['push 2', 'sync 1', 'pull 2']);
  });
});
