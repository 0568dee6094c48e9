import { createHash, randomUUID } from 'node:crypto';
import type { PullStream, Storage } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { type Chunk, TestServer } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const blob = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);
const dek = (): Uint8Array => {
  const out = new Uint8Array(44).fill(0xbb);
  new DataView(out.buffer).setInt32(0, 1);
  return out;
};
const names = (chunks: Chunk[]): string[] => chunks.map((c) => c.name);

describe('pull (RPC-PULL-*)', () => {
  it('RPC-PULL-1 websocket_pull_streams_chunks_and_terminal_result: records, membership and files in cursor order', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const [r1, r2] = [randomUUID(), randomUUID()];
    await c.call('push', { space, changes: [{ id: r1, blob: blob(1), expected_cursor: 0, dek: dek() }] });
    const payload = blob(7, 8, 9);
    const entryHash = createHash('sha256').update(payload).digest();
    await server.storage.appendMember(space, 0, { prevHash: new Uint8Array(0), entryHash, payload });
    const file = randomUUID();
    await server.storage.recordFile(space, file, r1, 12, dek());
    await c.call('push', { space, changes: [{ id: r2, blob: blob(2), expected_cursor: 0 }] });

    const reply = await c.request('pull', { spaces: [{ id: space, since: 0 }] });
    expect(names(reply.chunks)).toEqual([
      'pull.begin',
      'pull.record',
      'pull.membership',
      'pull.file',
      'pull.record',
      'pull.commit',
    ]);
    expect(reply.chunks[0]?.data).toEqual({ space, prev: 0, cursor: 4, key_generation: 1 });
    expect(reply.chunks[1]?.data).toEqual({ space, id: r1, blob: blob(1), cursor: 1, dek: dek() });
    expect(reply.chunks[2]?.data).toEqual({
      space,
      cursor: 2,
      entries: [{ chain_seq: 1, entry_hash: new Uint8Array(entryHash), payload }],
    });
    expect(reply.chunks[3]?.data).toEqual({
      space,
      id: file,
      record_id: r1,
      size: 12,
      dek: dek(),
      cursor: 3,
    });
    expect(reply.chunks[4]?.data).toEqual({ space, id: r2, blob: blob(2), cursor: 4 });
    expect(reply.chunks[5]?.data).toEqual({ space, prev: 0, cursor: 4, count: 4 });
    expect(reply.result).toEqual({ _chunks: 6 });
  });

  it('RPC-PULL-1 R5 an initial pull leaves tombstones out (canonical ids); an incremental one reports them (R19 deleted files too)', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const space = alice.personalSpaceId.toUpperCase();
    const canonical = alice.personalSpaceId;
    const [live, gone] = [randomUUID(), randomUUID()];
    await c.call('push', {
      space,
      changes: [
        { id: live, blob: blob(1), expected_cursor: 0 },
        { id: gone, blob: blob(2), expected_cursor: 0 },
      ],
    });
    const file = randomUUID();
    await server.storage.recordFile(canonical, file, gone, 5, dek());
    await c.call('push', { space, changes: [{ id: gone, blob: null, expected_cursor: 1 }] });
    const initial = await c.request('pull', { spaces: [{ id: space, since: 0 }] });
    // R5: pull output is canonical whatever the request's spelling.
    expect(initial.chunks.map((ch) => ch.data.space)).toEqual([canonical, canonical, canonical]);
    expect(names(initial.chunks)).toEqual(['pull.begin', 'pull.record', 'pull.commit']);
    const incremental = await c.request('pull', { spaces: [{ id: canonical, since: 1 }] });
    expect(incremental.chunks[0]?.name).toBe('pull.begin');
    expect(incremental.chunks.at(-1)?.name).toBe('pull.commit');
    const entries = incremental.chunks
      .slice(1, -1)
      .map((ch) => [ch.name, ch.data.id, ch.data.deleted ?? false]);
    expect(entries).toContainEqual(['pull.record', gone, true]);
    expect(entries).toContainEqual(['pull.file', file, true]);
    expect(incremental.chunks.at(-1)?.data).toMatchObject({ prev: 1, cursor: 3, count: entries.length });
  });

  it('RPC-PULL-2 websocket_pull_skips_unauthorized_space_entries (bad id, forbidden, unknown) silently', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace();
    const c = await server.connect(alice);
    await c.call('push', {
      space: alice.personalSpaceId,
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    const reply = await c.request('pull', {
      spaces: [
        { id: 'bad', since: 0 },
        { id: shared.id, since: 0 },
        { id: randomUUID(), since: 0, ucan: shared.grant(alice) },
        { id: alice.personalSpaceId, since: 0 },
      ],
    });
    expect(names(reply.chunks)).toEqual(['pull.begin', 'pull.record', 'pull.commit']);
    expect(reply.result).toEqual({ _chunks: 3 });
    // Skipped spaces leave no trace: the unknown one was not created.
    expect(await server.query('SELECT id FROM spaces ORDER BY id')).toHaveLength(2);
  });

  it('RPC-PULL-1 a shared space with a read UCAN streams; several spaces follow request order', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const shared = await server.sharedSpace();
    const c = await server.connect(alice);
    await c.call('push', {
      space: shared.id,
      ucan: shared.grant(alice),
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    const reply = await c.request('pull', {
      spaces: [
        { id: shared.id, since: 0, ucan: shared.grant(alice, '/space/read') },
        { id: alice.personalSpaceId, since: 0 },
      ],
    });
    expect(reply.chunks.map((ch) => [ch.name, ch.data.space])).toEqual([
      ['pull.begin', shared.id],
      ['pull.record', shared.id],
      ['pull.commit', shared.id],
      ['pull.begin', alice.personalSpaceId],
      ['pull.commit', alice.personalSpaceId],
    ]);
  });

  it('RPC-PULL-1 WS-FRAME-4 invalid pull params', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    for (const params of [
      undefined,
      {},
      { spaces: [{ id: alice.personalSpaceId }] },
      { spaces: [{ id: 1, since: 0 }] },
    ]) {
      const reply = await c.request('pull', params);
      expect(reply.error).toEqual({ code: 'invalid_params', message: 'invalid pull params' });
      expect(reply.chunks).toEqual([]);
    }
    expect(await server.query('SELECT id FROM spaces')).toEqual([]);
  });

  it('RPC-PULL-1 a large pull streams every record once, in order, through small storage pages', async () => {
    server = await TestServer.start({ storage: { pull: { pageRows: 40, pageBytes: 4096 } } });
    const alice = server.user();
    const c = await server.connect(alice);
    const space = alice.personalSpaceId;
    const ids: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const changes = Array.from({ length: 100 }, () => ({
        id: randomUUID(),
        blob: new Uint8Array(64),
        expected_cursor: 0,
      }));
      ids.push(...changes.map((ch) => ch.id));
      await c.call('push', { space, changes });
    }
    const reply = await c.request('pull', { spaces: [{ id: space, since: 0 }] });
    const records = reply.chunks.filter((ch) => ch.name === 'pull.record');
    expect(records).toHaveLength(500);
    expect(new Set(records.map((r) => r.data.id))).toEqual(new Set(ids));
    const cursors = records.map((r) => Number(r.data.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(reply.result).toEqual({ _chunks: 502 });
  });

  it('RPC-PULL-2 a stream error after pull.begin ends that space without pull.commit; the next space still streams', async () => {
    let failNext = true;
    server = await TestServer.start({
      wrapStorage: (s: Storage): Storage => ({
        ...s,
        async streamPull(spaceId, since, options): Promise<PullStream> {
          const stream = await s.streamPull(spaceId, since, options);
          if (!failNext) return stream;
          failNext = false;
          let served = 0;
          const next = async () => {
            if (served++ === 0) return stream.next();
            throw new Error('connection reset');
          };
          const failing: PullStream = {
            meta: stream.meta,
            next,
            nextPage: async () => {
              const entry = await next();
              return entry === undefined ? undefined : [entry];
            },
            async *pages() {
              for (let page = await failing.nextPage(); page; page = await failing.nextPage()) yield page;
            },
            collect: () => stream.collect(),
            close: () => stream.close(),
            async *[Symbol.asyncIterator]() {
              for (let entry = await next(); entry; entry = await next()) yield entry;
            },
          };
          return failing;
        },
      }),
    });
    const alice = server.user();
    const shared = await server.sharedSpace();
    const c = await server.connect(alice);
    await c.call('push', {
      space: alice.personalSpaceId,
      changes: [1, 2, 3].map((n) => ({ id: randomUUID(), blob: blob(n), expected_cursor: 0 })),
    });
    await c.call('push', {
      space: shared.id,
      ucan: shared.grant(alice),
      changes: [{ id: randomUUID(), blob: blob(1), expected_cursor: 0 }],
    });
    const reply = await c.request('pull', {
      spaces: [
        { id: alice.personalSpaceId, since: 0 },
        { id: shared.id, since: 0, ucan: shared.grant(alice) },
      ],
    });
    expect(names(reply.chunks)).toEqual([
      'pull.begin',
      'pull.record',
      'pull.begin',
      'pull.record',
      'pull.commit',
    ]);
    expect(reply.result).toEqual({ _chunks: 5 });
    expect(server.logged('pull stream failed')).toBeDefined();
  });

  it('RPC-PULL-2 a stream that cannot open skips the space', async () => {
    server = await TestServer.start({
      wrapStorage: (s: Storage): Storage => ({
        ...s,
        streamPull: async () => {
          throw new Error('pool exhausted');
        },
      }),
    });
    const alice = server.user();
    const c = await server.connect(alice);
    const reply = await c.request('pull', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    expect(reply.chunks).toEqual([]);
    expect(reply.result).toEqual({ _chunks: 0 });
  });

  it('RPC-PULL-1 a since beyond every cursor (even past 2^53) yields an empty space, echoing prev', async () => {
    server = await TestServer.start();
    const alice = server.user();
    const c = await server.connect(alice);
    const big = 2n ** 60n;
    const reply = await c.request('pull', { spaces: [{ id: alice.personalSpaceId, since: big }] });
    expect(reply.chunks.map((ch) => ch.name)).toEqual(['pull.begin', 'pull.commit']);
    expect(reply.chunks[1]?.data).toEqual({ space: alice.personalSpaceId, prev: big, cursor: 0, count: 0 });
  });
});
