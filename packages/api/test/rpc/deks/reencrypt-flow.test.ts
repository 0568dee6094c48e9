import { afterEach, describe, expect, it } from 'vitest';
import { TestServer } from '../../harness/index.js';
import { pushRecords, wrappedDek } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** What js/src/sync/reencrypt.ts + ws-client.ts do, frame for frame, against a shared space. */
describe('SDK key rotation flow (RPC-EPOCH-1, RPC-EPOCH-2, RPC-DEK-1..4, R3, R4)', () => {
  it('R3 R4 epoch.begin → deks.get (chunked) → deks.rewrap → deks.getFiles → deks.rewrapFiles → epoch.complete', async () => {
    server = await TestServer.start();
    const admin = server.user('admin');
    const shared = await server.sharedSpace(admin);
    const ucan = shared.grant(admin, '/space/admin');
    const c = await server.connect(admin, { protocols: 'betterbase-rpc-v1' });
    const recordIds = await pushRecords(c, shared.id, 3, 1, ucan);
    const fileId = crypto.randomUUID();
    await server.storage.recordFile(shared.id, fileId, recordIds[0] as string, 5, wrappedDek(1, 0xcc));

    const begin = await c.call('epoch.begin', {
      space: shared.id,
      ucan,
      epoch: 2,
      set_min_key_generation: true,
    });
    // The SDK's check: `"error" in result && result.error === "epoch_conflict"`.
    expect('error' in begin).toBe(false);
    const lost = await c.call('epoch.begin', { space: shared.id, ucan, epoch: 2 });
    expect(lost.error === 'epoch_conflict' && lost.current_epoch === 2 && lost.rewrap_epoch === 2).toBe(true);

    // callChunked: collect deks.record chunks; the final _chunks must equal the count received.
    const deks = await c.request('deks.get', { space: shared.id, ucan, since: 0 });
    const records = deks.chunks.filter((ch) => ch.name === 'deks.record').map((ch) => ch.data);
    expect(records).toHaveLength(3);
    expect(deks.result?._chunks).toBe(deks.chunks.length);
    const rewrap = await c.call('deks.rewrap', {
      space: shared.id,
      ucan,
      deks: records.map((r) => ({ id: r.id, dek: wrappedDek(2, 0x21) })),
    });
    expect(rewrap).toEqual({ ok: true, count: 3 });

    const fileDeks = await c.request('deks.getFiles', { space: shared.id, ucan, since: 0 });
    const fileRecords = fileDeks.chunks.filter((ch) => ch.name === 'deks.files.record').map((ch) => ch.data);
    expect(fileRecords.map((r) => r.id)).toEqual([fileId]);
    expect(fileDeks.result?._chunks).toBe(1);
    expect(
      await c.call('deks.rewrapFiles', {
        space: shared.id,
        ucan,
        deks: [{ id: fileId, dek: wrappedDek(2, 0x22) }],
      }),
    ).toEqual({ ok: true, count: 1 });

    expect(await c.call('epoch.complete', { space: shared.id, ucan, epoch: 2 })).toEqual({});
    const [space] = await server.query<{
      key_generation: number;
      min_key_generation: number;
      rewrap_epoch: null;
    }>('SELECT key_generation, min_key_generation, rewrap_epoch FROM spaces WHERE id = $1', [shared.id]);
    expect(space).toEqual({ key_generation: 2, min_key_generation: 2, rewrap_epoch: null });
    const after = await c.request('deks.get', { space: shared.id, ucan });
    expect(after.chunks.every((ch) => Buffer.from(ch.data.dek as Uint8Array).readInt32BE(0) === 2)).toBe(
      true,
    );
  });
});
