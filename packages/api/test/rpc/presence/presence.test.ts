import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestClient, TestServer, type TestUser } from '../../harness/index.js';
import { settle } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const PSEUDONYM = /^[0-9a-f]{32}$/;

/** Two connections of one user, both subscribed to the personal space (the reference tests' setup). */
async function pair(): Promise<{ user: TestUser; space: string; sender: TestClient; watcher: TestClient }> {
  const user = server.user('alice');
  const space = user.personalSpaceId;
  const sender = await server.connect(user);
  const watcher = await server.connect(user);
  await sender.call('subscribe', { spaces: [{ id: space, since: 0 }] });
  await watcher.call('subscribe', { spaces: [{ id: space, since: 0 }] });
  return { user, space, sender, watcher };
}

describe('presence.set (PRESENCE-1)', () => {
  it('PRESENCE-1 websocket_presence_set_broadcasts_to_other_subscribers (never the sender)', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('presence.set', { space, data: Uint8Array.of(1, 2, 3, 4) });
    const n = await watcher.nextNotification('presence');
    expect(n.params).toEqual({ space, peer: n.params.peer, data: Uint8Array.of(1, 2, 3, 4) });
    expect(n.params.peer).toMatch(PSEUDONYM);
    expect(server.connectionIds()).not.toContain(n.params.peer);
    // Every accepted set is broadcast, even unchanged data; an empty payload is allowed.
    sender.notify('presence.set', { space, data: Uint8Array.of(1, 2, 3, 4) });
    sender.notify('presence.set', { space, data: new Uint8Array(0) });
    expect((await watcher.nextNotification('presence')).params.peer).toBe(n.params.peer);
    expect((await watcher.nextNotification('presence')).params.data).toEqual(new Uint8Array(0));
    await sender.expectNoNotification('presence', 200);
  });

  it('PRESENCE-1 websocket_presence_set_oversized_payload_is_ignored (1024 bytes is the limit)', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('presence.set', { space, data: new Uint8Array(1025).fill(7) });
    await watcher.expectNoNotification('presence', 300);
    expect(server.services.presence.peers(space, '')).toEqual([]);
    sender.notify('presence.set', { space, data: new Uint8Array(1024).fill(7) });
    expect(((await watcher.nextNotification('presence')).params.data as Uint8Array).length).toBe(1024);
  });

  it('PRESENCE-1 ignored silently: not subscribed, empty space, bad params; no reply ever, connection kept', async () => {
    server = await TestServer.start();
    const { user, space, sender, watcher } = await pair();
    const other = await server.connect(user);
    other.notify('presence.set', { space, data: Uint8Array.of(1) });
    sender.notify('presence.set', { space: '', data: Uint8Array.of(1) });
    sender.notify('presence.set', { space, data: 'text' });
    sender.notify('presence.set', { space });
    sender.notify('presence.set', 'not-a-map');
    sender.notify('presence.set', { space: randomUUID(), data: Uint8Array.of(1) });
    await watcher.expectNoNotification('presence', 300);
    expect(sender.notifications).toEqual([]);
    expect(other.notifications).toEqual([]);
    // A notification name sent as a request is an unknown method (WS-FRAME-3).
    const asRequest = await sender.request('presence.set', { space, data: Uint8Array.of(1) });
    expect(asRequest.error).toEqual({ code: 'method_not_found', message: 'unknown method: presence.set' });
    expect(sender.isOpen).toBe(true);
  });

  it('PRESENCE-1 R5 any spelling of a subscribed space is accepted; broadcasts carry the canonical id', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('presence.set', { space: space.toUpperCase().replaceAll('-', ''), data: Uint8Array.of(5) });
    expect((await watcher.nextNotification('presence')).params.space).toBe(space);
  });

  it('PRESENCE-1 a full space refuses a new peer (100 entries); updates of existing peers still go through', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('presence.set', { space, data: Uint8Array.of(1) });
    await watcher.nextNotification('presence');
    for (let i = 0; i < 99; i++) server.services.presence.set(space, `ghost-${i}`, Uint8Array.of(0));
    watcher.notify('presence.set', { space, data: Uint8Array.of(2) });
    await sender.expectNoNotification('presence', 300);
    sender.notify('presence.set', { space, data: Uint8Array.of(3) });
    expect((await watcher.nextNotification('presence')).params.data).toEqual(Uint8Array.of(3));
  });

  it('PRESENCE-1 RPC-AUTHZ-1 two members of a shared space see each other; pseudonyms differ per space', async () => {
    server = await TestServer.start();
    const owner = server.user('owner');
    const bob = server.user('bob');
    const shared = await server.sharedSpace(owner);
    const co = await server.connect(owner);
    const cb = await server.connect(bob);
    await co.call('subscribe', {
      spaces: [
        { id: shared.id, since: 0, ucan: shared.grant(owner) },
        { id: owner.personalSpaceId, since: 0 },
      ],
    });
    await cb.call('subscribe', {
      spaces: [{ id: shared.id, since: 0, ucan: shared.grant(bob, '/space/read') }],
    });
    co.notify('presence.set', { space: shared.id, data: Uint8Array.of(1) });
    const seen = await cb.nextNotification('presence');
    expect(seen.params.space).toBe(shared.id);
    const personalPeer = server.services.presence.pseudonym(
      server.connectionIds()[0] ?? '',
      owner.personalSpaceId,
    );
    expect(seen.params.peer).not.toBe(personalPeer);
  });
});

describe('presence.clear and leave (PRESENCE-2, PRESENCE-7)', () => {
  it('PRESENCE-2 websocket_presence_clear_broadcasts_leave_notification with the same pseudonym', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('presence.set', { space, data: Uint8Array.of(8, 8) });
    const set = await watcher.nextNotification('presence');
    sender.notify('presence.clear', { space });
    expect((await watcher.nextNotification('presence.leave')).params).toEqual({
      space,
      peer: set.params.peer,
    });
    expect(server.services.presence.peers(space, '')).toEqual([]);
    // Nothing to clear any more: nothing is sent.
    sender.notify('presence.clear', { space });
    await watcher.expectNoNotification('presence.leave', 200);
  });

  it('PRESENCE-2 clear is ignored for an empty or unsubscribed space and for bad params', async () => {
    server = await TestServer.start();
    const { user, space, sender, watcher } = await pair();
    sender.notify('presence.set', { space, data: Uint8Array.of(1) });
    await watcher.nextNotification('presence');
    const outsider = await server.connect(user);
    outsider.notify('presence.clear', { space });
    sender.notify('presence.clear', { space: '' });
    sender.notify('presence.clear', { space: 5 });
    sender.notify('presence.clear', {});
    await watcher.expectNoNotification('presence.leave', 300);
    expect(server.services.presence.peers(space, '')).toHaveLength(1);
  });

  it('PRESENCE-2 websocket_unsubscribe_clears_presence_and_broadcasts_leave', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('presence.set', { space, data: Uint8Array.of(2, 2) });
    const set = await watcher.nextNotification('presence');
    sender.notify('unsubscribe', { spaces: [space] });
    expect((await watcher.nextNotification('presence.leave')).params).toEqual({
      space,
      peer: set.params.peer,
    });
  });

  it('PRESENCE-7 websocket_presence_leave_broadcasts_when_peer_disconnects', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('presence.set', { space, data: Uint8Array.of(1) });
    const set = await watcher.nextNotification('presence');
    await sender.close();
    expect((await watcher.nextNotification('presence.leave')).params).toEqual({
      space,
      peer: set.params.peer,
    });
  });
});

describe('presence listing through subscribe (PRESENCE-3)', () => {
  it('PRESENCE-3 websocket_subscribe_with_presence_returns_existing_peers (not its own)', async () => {
    server = await TestServer.start();
    const user = server.user('alice');
    const space = user.personalSpaceId;
    const sender = await server.connect(user);
    await sender.call('subscribe', { spaces: [{ id: space, since: 0 }] });
    sender.notify('presence.set', { space, data: Uint8Array.of(9, 9, 9) });
    await settle();
    const watcher = await server.connect(user);
    const result = await watcher.call('subscribe', { spaces: [{ id: space, since: 0, presence: true }] });
    const peers = (result.spaces as Array<{ peers: Array<{ peer: string; data: Uint8Array }> }>)[0]?.peers;
    expect(peers).toEqual([{ peer: expect.stringMatching(PSEUDONYM), data: Uint8Array.of(9, 9, 9) }]);
    // The sender re-subscribing does not see itself.
    const own = await sender.call('subscribe', { spaces: [{ id: space, since: 0, presence: true }] });
    expect((own.spaces as Array<Record<string, unknown>>)[0]?.peers).toBeUndefined();
  });
});

describe('event.send (EVENT-1)', () => {
  it('EVENT-1 websocket_event_send_broadcasts_to_other_subscribers; peer is the presence pseudonym', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('event.send', { space, data: Uint8Array.of(4, 5, 6) });
    const event = await watcher.nextNotification('event');
    expect(event.params).toEqual({
      space,
      peer: expect.stringMatching(PSEUDONYM),
      data: Uint8Array.of(4, 5, 6),
    });
    // No presence entry is needed, and the pseudonym matches the one presence uses.
    expect(server.services.presence.peers(space, '')).toEqual([]);
    sender.notify('presence.set', { space, data: Uint8Array.of(1) });
    expect((await watcher.nextNotification('presence')).params.peer).toBe(event.params.peer);
    await sender.expectNoNotification('event', 200);
  });

  it('EVENT-1 websocket_event_send_oversized_payload_is_ignored (4096 bytes is the limit)', async () => {
    server = await TestServer.start();
    const { space, sender, watcher } = await pair();
    sender.notify('event.send', { space, data: new Uint8Array(4097) });
    await watcher.expectNoNotification('event', 300);
    sender.notify('event.send', { space, data: new Uint8Array(4096) });
    expect(((await watcher.nextNotification('event')).params.data as Uint8Array).length).toBe(4096);
  });

  it('EVENT-1 ignored silently: not subscribed, empty space, bad params; events are never stored', async () => {
    server = await TestServer.start();
    const { user, space, sender, watcher } = await pair();
    const outsider = await server.connect(user);
    outsider.notify('event.send', { space, data: Uint8Array.of(1) });
    sender.notify('event.send', { space: '', data: Uint8Array.of(1) });
    sender.notify('event.send', { space, data: [1] });
    sender.notify('event.send', { data: Uint8Array.of(1) });
    await watcher.expectNoNotification('event', 300);
    expect(sender.isOpen && outsider.isOpen).toBe(true);
    expect(await server.query('SELECT * FROM records')).toEqual([]);
  });
});
