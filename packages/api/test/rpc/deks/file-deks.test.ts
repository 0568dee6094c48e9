import { randomUUID } from 'node:crypto';
import { StorageError } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { overrideStorage, type TestClient, TestServer, type TestUser } from '../../harness/index.js';
import { pushRecords, snapshot, wrappedDek } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

interface Fixture {
  alice: TestUser;
  c: TestClient;
  space: string;
  files: Array<{ id: string; cursor: number }>;
}

/** Alice's personal space with `count` files (one record each), file DEKs at epoch 1. */
async function withFiles(count: number, scope = 'sync files'): Promise<Fixture> {
  const alice = server.user('alice', { scope });
  const c = await server.connect(alice);
  const space = alice.personalSpaceId;
  const records = await pushRecords(c, space, count);
  const files: Array<{ id: string; cursor: number }> = [];
  for (const [i, recordId] of records.entries()) {
    const id = randomUUID();
    const cursor = await server.storage.recordFile(space, id, recordId, 10 + i, wrappedDek(1, 0xb0 + i));
    files.push({ id, cursor: cursor ?? -1 });
  }
  return { alice, c, space, files };
}

async function fileDeks(space: string): Promise<Record<string, number[]>> {
  const rows = await server.query<{ id: string; wrapped_dek: Uint8Array }>(
    'SELECT id, wrapped_dek FROM files WHERE space_id = $1',
    [space],
  );
  return Object.fromEntries(rows.map((r) => [r.id, [...r.wrapped_dek]]));
}

describe('file.deks.get / deks.getFiles (RPC-DEK-3, R4)', () => {
  it('RPC-DEK-3 R4 websocket_file_deks_get_returns_records: deks.files.record chunks, then the list and _chunks', async () => {
    server = await TestServer.start();
    const { c, space, files } = await withFiles(2);
    const reply = await c.request('file.deks.get', { space, since: 0 });
    const expected = files.map((f, i) => ({ id: f.id, dek: wrappedDek(1, 0xb0 + i), cursor: f.cursor }));
    expect(reply.chunks).toEqual(expected.map((data) => ({ name: 'deks.files.record', data })));
    expect(reply.result).toEqual({ deks: expected, _chunks: 2 });
    const after = await c.request('file.deks.get', { space, since: files[0]?.cursor });
    expect(after.result).toEqual({ deks: [expected[1]], _chunks: 1 });
  });

  it('RPC-DEK-3 websocket_deks_get_files_alias_returns_records (the name the SDK calls)', async () => {
    server = await TestServer.start();
    const { c, space, files } = await withFiles(1);
    const reply = await c.request('deks.getFiles', { space, ucan: undefined, since: 0 });
    expect(reply.chunks).toEqual([
      {
        name: 'deks.files.record',
        data: { id: files[0]?.id, dek: wrappedDek(1, 0xb0), cursor: files[0]?.cursor },
      },
    ]);
    expect(reply.result?._chunks).toBe(1);
  });

  it('RPC-DEK-3 websocket_file_deks_get_requires_files_scope (both names, both methods)', async () => {
    server = await TestServer.start();
    const { c, space, files } = await withFiles(1, 'sync');
    const before = await snapshot(server);
    for (const method of ['file.deks.get', 'deks.getFiles']) {
      const reply = await c.request(method, { space, since: 0 });
      expect(reply.error).toEqual({ code: 'forbidden', message: 'files scope required' });
      expect(reply.chunks).toEqual([]);
    }
    for (const method of ['file.deks.rewrap', 'deks.rewrapFiles']) {
      const reply = await c.request(method, { space, deks: [{ id: files[0]?.id, dek: wrappedDek(1) }] });
      expect(reply.error).toEqual({ code: 'forbidden', message: 'files scope required' });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-DEK-3 bad input: invalid params, a bad space id (before the scope check), unknown spaces', async () => {
    server = await TestServer.start();
    const alice = server.user('alice', { scope: 'sync' });
    const c = await server.connect(alice);
    for (const method of ['file.deks.get', 'deks.getFiles']) {
      for (const params of ['not-a-map', undefined, {}, { space: alice.personalSpaceId, since: 'x' }]) {
        expect((await c.request(method, params)).error).toEqual({
          code: 'invalid_params',
          message: 'invalid file deks get params',
        });
      }
      expect((await c.request(method, { space: 'nope' })).error).toEqual({
        code: 'bad_request',
        message: 'invalid space id',
      });
    }
    const bob = server.user('bob');
    const cb = await server.connect(bob);
    expect((await cb.request('file.deks.get', { space: randomUUID() })).error).toEqual({
      code: 'forbidden',
      message: 'forbidden',
    });
    expect(await server.query('SELECT * FROM spaces')).toEqual([]);
  });

  it('RPC-DEK-3 storage errors: not_found for a vanished space, internal otherwise', async () => {
    let error: Error = new StorageError('SpaceNotFound');
    server = await TestServer.start({
      wrapStorage: overrideStorage({ getFileDeks: () => Promise.reject(error) }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect((await c.request('file.deks.get', { space: alice.personalSpaceId })).error?.code).toBe(
      'not_found',
    );
    error = new Error('boom');
    expect((await c.request('file.deks.get', { space: alice.personalSpaceId })).error).toEqual({
      code: 'internal',
      message: 'internal',
    });
  });
});

describe('file.deks.rewrap / deks.rewrapFiles (RPC-DEK-4)', () => {
  it('RPC-DEK-4 rewraps the listed files: {ok, count}; ids in any UUID spelling', async () => {
    server = await TestServer.start();
    const { c, space, files } = await withFiles(2);
    await c.call('epoch.begin', { space, epoch: 2 });
    const result = await c.call('deks.rewrapFiles', {
      space,
      deks: files.map((f, i) => ({
        id: i === 0 ? f.id.toUpperCase() : f.id.replaceAll('-', ''),
        dek: wrappedDek(2, i),
      })),
    });
    expect(result).toEqual({ ok: true, count: 2 });
    expect(await fileDeks(space)).toEqual(
      Object.fromEntries(files.map((f, i) => [f.id, [...wrappedDek(2, i)]])),
    );
    expect(await c.call('file.deks.rewrap', { space, deks: [] })).toEqual({ ok: true, count: 0 });
  });

  it('RPC-DEK-4 websocket_file_deks_rewrap_returns_bad_request_for_invalid_file_id', async () => {
    server = await TestServer.start();
    const { c, space } = await withFiles(1);
    const before = await snapshot(server);
    for (const id of ['not-a-uuid', '']) {
      const reply = await c.request('file.deks.rewrap', { space, deks: [{ id, dek: wrappedDek(1) }] });
      expect(reply.error).toEqual({
        code: 'bad_request',
        message: 'invalid record: id must be a valid UUID',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-DEK-4 websocket_deks_rewrap_files_alias_returns_bad_request_for_invalid_file_id', async () => {
    server = await TestServer.start();
    const { c, space } = await withFiles(1);
    const reply = await c.request('deks.rewrapFiles', {
      space,
      deks: [{ id: 'not-a-uuid', dek: wrappedDek(1) }],
    });
    expect(reply.error).toEqual({ code: 'bad_request', message: 'invalid record: id must be a valid UUID' });
  });

  it('RPC-DEK-4 websocket_file_deks_rewrap_returns_bad_request_for_invalid_wrapped_dek_size', async () => {
    server = await TestServer.start();
    const { c, space, files } = await withFiles(1);
    const reply = await c.request('file.deks.rewrap', {
      space,
      deks: [{ id: files[0]?.id, dek: new Uint8Array(43) }],
    });
    expect(reply.error).toEqual({
      code: 'bad_request',
      message: 'invalid record: wrapped DEK must be exactly 44 bytes',
    });
  });

  it('RPC-DEK-4 websocket_file_deks_rewrap_returns_conflict_on_epoch_mismatch: every epoch is checked before any write', async () => {
    server = await TestServer.start();
    const { c, space, files } = await withFiles(2);
    const before = await snapshot(server);
    const reply = await c.request('file.deks.rewrap', {
      space,
      deks: [
        { id: files[0]?.id, dek: wrappedDek(1, 0x01) },
        { id: files[1]?.id, dek: wrappedDek(7, 0x02) },
      ],
    });
    expect(reply.error).toEqual({
      code: 'conflict',
      message: 'DEK epoch does not match current key generation',
    });
    const unknown = await c.request('file.deks.rewrap', {
      space,
      deks: [
        { id: files[0]?.id, dek: wrappedDek(1, 0x01) },
        { id: randomUUID(), dek: wrappedDek(1, 0x02) },
      ],
    });
    expect(unknown.error).toEqual({
      code: 'bad_request',
      message: 'one or more file DEK records were not found',
    });
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-DEK-4 invalid params, bad space id, Read-only UCAN, vanished space', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage((storage) => ({
        rewrapFileDeks: (space: string, deks: readonly unknown[]) =>
          deks.length === 0
            ? Promise.reject(new StorageError('SpaceNotFound'))
            : storage.rewrapFileDeks(space, deks as never),
      })),
    });
    const owner = server.user('owner');
    const shared = await server.sharedSpace(owner);
    const c = await server.connect(owner);
    for (const params of ['x', undefined, { space: shared.id }, { space: shared.id, deks: [{ id: 'a' }] }]) {
      expect((await c.request('file.deks.rewrap', params)).error).toEqual({
        code: 'invalid_params',
        message: 'invalid file deks rewrap params',
      });
    }
    expect((await c.request('deks.rewrapFiles', { space: '', deks: [] })).error?.message).toBe(
      'invalid space id',
    );
    const read = await c.request('file.deks.rewrap', {
      space: shared.id,
      ucan: shared.grant(owner, '/space/read'),
      deks: [],
    });
    expect(read.error).toEqual({ code: 'forbidden', message: 'forbidden' });
    const gone = await c.request('file.deks.rewrap', {
      space: shared.id,
      ucan: shared.grant(owner),
      deks: [],
    });
    expect(gone.error).toEqual({ code: 'not_found', message: 'space not found' });
  });
});
