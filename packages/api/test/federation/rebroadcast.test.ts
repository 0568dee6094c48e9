import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestClient, TestServer } from '../harness/index.js';
import { connectPeer, PeerKey, startHome } from './peer.js';

vi.setConfig({ testTimeout: 90_000 });

let server: TestServer | undefined;
const peers: TestClient[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await server?.close();
  server = undefined;
});

const syncFor = (space: string, cursor = 4) => ({
  space,
  prev: cursor - 1,
  cursor,
  key_generation: 2,
  records: [{ id: randomUUID(), blob: new Uint8Array([9]), cursor, extra: 'dropped' }],
});

describe('FED-RPC-09 / R17 re-broadcast from a home server', () => {
  it('R17 accepted only from the space home and only when local clients subscribed through it (B5 closed)', async () => {
    const key = new PeerKey('home.example.com');
    const started = await startHome({ peers: [key] });
    server = started.server;
    const s = server;
    const user = s.user('carol');
    const space = await s.sharedSpace(user);
    const client = await s.connect(user);
    await client.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.grant(user, '/space/read') }],
    });
    await s.storage.setSpaceHomeServer(space.id, 'https://home.example.com:8443');
    const peer = await connectPeer(started.fedUrl, key);
    peers.push(peer);

    // Home, but nobody subscribed through it: refused and logged.
    peer.notify('sync', syncFor(space.id));
    await expect
      .poll(() => s.logs.filter((l) => l.message === 'federation re-broadcast refused').length)
      .toBe(1);
    expect(s.logs.find((l) => l.message === 'federation re-broadcast refused')?.fields.reason).toBe(
      'no local subscription through peer',
    );

    started.ledger.add('home.example.com:8443', space.id);
    peer.notify('sync', syncFor(space.id.toUpperCase()));
    const sync = await client.nextNotification('sync');
    expect(sync.params.space).toBe(space.id);
    expect(sync.params.key_generation).toBe(2);
    expect((sync.params.records as Array<Record<string, unknown>>)[0]).not.toHaveProperty('extra');
    peer.notify('membership', {
      space: space.id,
      cursor: 5,
      entries: [{ chain_seq: 1, entry_hash: new Uint8Array(32), payload: new Uint8Array([1]) }],
    });
    expect((await client.nextNotification('membership')).params.cursor).toBe(5);
    peer.notify('file', {
      space: space.id,
      cursor: 6,
      files: [{ id: randomUUID(), record_id: randomUUID() }],
    });
    expect((await client.nextNotification('file')).params.cursor).toBe(6);
    peer.notify('revoked', { space: space.id, reason: 'ucan_revoked', more: 1 });
    expect((await client.nextNotification('revoked')).params).toEqual({
      space: space.id,
      reason: 'ucan_revoked',
    });
    expect(started.events.calls).toEqual([
      'sync:refused',
      'sync:ok',
      'membership:ok',
      'file:ok',
      'revoked:ok',
    ]);
  });

  it('R17 a trusted peer that is not the home (or a space unknown here) cannot inject; empty sync and junk dropped', async () => {
    const home = new PeerKey('home.example.com');
    const intruder = new PeerKey('intruder.example.com');
    const started = await startHome({ peers: [home, intruder] });
    server = started.server;
    const s = server;
    const user = s.user('dave');
    const space = await s.sharedSpace(user);
    const client = await s.connect(user);
    await client.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.grant(user, '/space/read') }],
    });
    await s.storage.setSpaceHomeServer(space.id, 'home.example.com');
    started.ledger.add('home.example.com', space.id);
    started.ledger.add('intruder.example.com', space.id);
    const bad = await connectPeer(started.fedUrl, intruder);
    peers.push(bad);
    bad.notify('sync', syncFor(space.id));
    bad.notify('sync', syncFor(randomUUID()));
    bad.notify('sync', syncFor('not-a-uuid'));
    bad.notify('sync', { space: space.id, prev: 0, cursor: 1, key_generation: 1, records: [] });
    bad.notify('sync', { nonsense: true });
    bad.notify('presence.set', { space: space.id, data: new Uint8Array([1]) });
    await expect.poll(() => started.events.calls.length).toBe(3);
    expect(started.events.calls).toEqual(['sync:refused', 'sync:refused', 'sync:refused']);
    await client.expectNoNotification('sync', 200);
    expect(bad.isOpen).toBe(true);
    started.ledger.remove('home.example.com', space.id);
    const ok = await connectPeer(started.fedUrl, home);
    peers.push(ok);
    ok.notify('sync', syncFor(space.id));
    await expect.poll(() => started.events.calls.length).toBe(4);
    expect(started.events.calls[3]).toBe('sync:refused');
  });
});
