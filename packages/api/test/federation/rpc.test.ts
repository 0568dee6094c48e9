import { randomBytes, randomUUID } from 'node:crypto';
import { createFst, deriveFstKey } from '@less-sync/auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TestClient, type TestServer, UcanKey, ucanCid } from '../harness/index.js';
import { connectPeer, FST_SECRET, PeerKey, startHome } from './peer.js';

// Starting a home server migrates a fresh schema; under load that can take a while.
vi.setConfig({ testTimeout: 90_000 });

let server: TestServer | undefined;
const peers: TestClient[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await server?.close();
  server = undefined;
});

async function setup(options: Parameters<typeof startHome>[0] = {}) {
  const key = new PeerKey();
  const started = await startHome({ peers: [key], ...options });
  server = started.server;
  const peer = await connectPeer(started.fedUrl, key);
  peers.push(peer);
  const another = async () => {
    const p = await connectPeer(started.fedUrl, key);
    peers.push(p);
    return p;
  };
  return { ...started, key, peer, another };
}

/** A UCAN for the peer side: any audience; the home accepts it as a bearer capability. */
const bearer = new UcanKey();

const status = (s: TestServer) => s.federation!.httpInfo().peerStatus('peer.example.com');

describe('FED-RPC-04 federation subscribe', () => {
  it('websocket_federation_route_supports_ucan_and_fst_subscribe_flow', async () => {
    const { server: s, peer, another } = await setup();
    const space = await s.sharedSpace();
    const ucan = space.root.issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    const first = await peer.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    const entry = (first.spaces as Array<Record<string, unknown>>)[0]!;
    expect(entry).toMatchObject({ id: space.id, cursor: 0, key_generation: 1 });
    expect(String(entry.token)).toHaveLength(140);
    const second = await another();
    const renewed = await second.call('subscribe', {
      spaces: [{ id: space.id, since: 0, token: entry.token }],
    });
    const again = (renewed.spaces as Array<Record<string, unknown>>)[0]!;
    expect(again.id).toBe(space.id);
    expect(again.token).not.toBe(entry.token);
    expect((await status(s)).spaces).toBe(2);
  });

  it('websocket_federation_subscribe_rejects_invalid_fst; per-space bad_request for a bad id or no credential', async () => {
    const { server: s, peer } = await setup();
    const space = await s.sharedSpace();
    const other = await s.sharedSpace();
    const ucan = space.root.issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    const got = await peer.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    const token = (got.spaces as Array<Record<string, unknown>>)[0]!.token;
    const result = await peer.call('subscribe', {
      spaces: [
        { id: other.id, since: 0, token },
        { id: space.id, since: 0, token: 'garbage' },
        { id: 'not-a-uuid', since: 0, ucan },
        { id: space.id, since: 0 },
      ],
    });
    expect(result.spaces).toEqual([]);
    expect(result.errors).toEqual([
      { space: other.id, error: 'forbidden' },
      { space: space.id, error: 'forbidden' },
      { space: 'not-a-uuid', error: 'bad_request' },
      { space: space.id, error: 'bad_request' },
    ]);
  });

  it('FED-RPC-03 a UCAN rooted elsewhere, a write-less one for the wrong space, or an unknown space is refused', async () => {
    const { server: s, peer } = await setup();
    const space = await s.sharedSpace();
    const stranger = new UcanKey().issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    const missing = randomUUID();
    const result = await peer.call('subscribe', {
      spaces: [
        { id: space.id, since: 0, ucan: stranger },
        { id: missing, since: 0, ucan: stranger },
      ],
    });
    expect(result.errors).toEqual([
      { space: space.id, error: 'forbidden' },
      { space: missing, error: 'not_found' },
    ]);
  });

  it('B13 an FST for a space that does not exist, or whose chain was revoked, no longer subscribes', async () => {
    const { server: s, peer } = await setup();
    const key = deriveFstKey(Buffer.from(FST_SECRET));
    const ghost = randomUUID();
    const forged = createFst(key, ghost, 'peer.example.com');
    const space = await s.sharedSpace();
    const ucan = space.root.issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    const got = await peer.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    const token = (got.spaces as Array<Record<string, unknown>>)[0]!.token;
    await s.storage.revokeUcan(space.id, ucanCid(ucan));
    const result = await peer.call('subscribe', {
      spaces: [
        { id: ghost, since: 0, token: forged },
        { id: space.id, since: 0, token },
      ],
    });
    expect(result.errors).toEqual([
      { space: ghost, error: 'not_found' },
      { space: space.id, error: 'forbidden' },
    ]);
  });

  it('FED-KEY-06 without an FST secret no token is issued and token subscribes fail with internal', async () => {
    const { server: s, peer } = await setup({ fst: false });
    const space = await s.sharedSpace();
    const ucan = space.root.issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    const got = await peer.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    expect((got.spaces as Array<Record<string, unknown>>)[0]!.token).toBeUndefined();
    const tokenSub = await peer.call('subscribe', { spaces: [{ id: space.id, since: 0, token: 'x' }] });
    expect(tokenSub.errors).toEqual([{ space: space.id, error: 'internal' }]);
  });

  it('websocket_federation_subscribe_rejects_too_many_spaces (quota), and more than 1000 entries is bad_request', async () => {
    const { server: s, peer, events } = await setup({ limits: { maxSpaces: 1 } });
    const a = await s.sharedSpace();
    const b = await s.sharedSpace();
    const read = (sp: typeof a) => sp.root.issue({ audience: bearer.did, space: sp.id, cmd: '/space/read' });
    const over = await peer.request('subscribe', {
      spaces: [
        { id: a.id, since: 0, ucan: read(a) },
        { id: b.id, since: 0, ucan: read(b) },
      ],
    });
    expect(over.error).toEqual({ code: 'rate_limited', message: 'space subscription quota exceeded' });
    expect(events.quota).toEqual(['spaces']);
    expect((await status(s)).spaces).toBe(0);
    const many = Array.from({ length: 1001 }, () => ({ id: randomUUID(), since: 0, token: 'x' }));
    const tooMany = await peer.request('subscribe', { spaces: many });
    expect(tooMany.error).toEqual({ code: 'bad_request', message: 'too many spaces in subscribe request' });
  });

  it('B11 duplicate ids in one subscribe are charged once; unsubscribe and socket close give the quota back', async () => {
    const { server: s, peer, another } = await setup({ limits: { maxSpaces: 1 } });
    const space = await s.sharedSpace();
    const ucan = space.root.issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    const twice = await peer.call('subscribe', {
      spaces: [
        { id: space.id, since: 0, ucan },
        { id: space.id.toUpperCase(), since: 0, ucan },
      ],
    });
    expect(twice.spaces).toHaveLength(2);
    expect((await status(s)).spaces).toBe(1);
    // websocket_federation_subscribe_quota_releases_on_unsubscribe
    peer.notify('unsubscribe', { spaces: [space.id, randomUUID()] });
    await expect.poll(async () => (await status(s)).spaces).toBe(0);
    const other = await another();
    await other.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    expect((await status(s)).spaces).toBe(1);
    await other.close();
    await expect.poll(async () => (await status(s)).spaces).toBe(0);
    await expect.poll(async () => (await status(s)).connections).toBe(1);
  });

  it('the peer socket is a broker subscriber: local changes to its spaces reach it; a revocation ends it (R8)', async () => {
    const { server: s, peer } = await setup();
    const user = s.user('alice');
    const space = await s.sharedSpace(user);
    const ucan = space.root.issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    await peer.call('subscribe', { spaces: [{ id: space.id, since: 0, ucan }] });
    const client = await s.connect(user);
    const push = await client.call('push', {
      space: space.id,
      ucan: space.grant(user),
      changes: [{ id: randomUUID(), blob: new Uint8Array([1, 2]), expected_cursor: 0 }],
    });
    expect(push.ok).toBe(true);
    const sync = await peer.nextNotification('sync');
    expect(sync.params).toMatchObject({ space: space.id, cursor: 1 });
    await s.services.sessions.revoke(space.id, ucanCid(ucan));
    const revoked = await peer.nextNotification('revoked');
    expect(revoked.params).toEqual({ space: space.id, reason: 'ucan_revoked' });
  });
});

describe('FED-RPC-05/06 federation push and pull', () => {
  const change = (blob = new Uint8Array([7, 7, 7])) => ({ id: randomUUID(), blob, expected_cursor: 0 });

  it('websocket_federation_push_requires_ucan; unknown space not_found; a remote-homed space forbidden', async () => {
    const { server: s, peer } = await setup();
    const space = await s.sharedSpace();
    expect(await peer.call('push', { space: space.id, changes: [change()] })).toEqual({
      ok: false,
      error: 'forbidden',
    });
    const write = space.root.issue({ audience: bearer.did, space: space.id });
    const missing = randomUUID();
    const ghost = await peer.call('push', { space: missing, ucan: write, changes: [change()] });
    expect(ghost).toEqual({ ok: false, error: 'not_found' });
    expect(await peer.call('push', { space: 'x', ucan: write, changes: [] })).toEqual({
      ok: false,
      error: 'bad_request',
    });
    await s.storage.setSpaceHomeServer(space.id, 'elsewhere.example');
    expect(await peer.call('push', { space: space.id, ucan: write, changes: [change()] })).toEqual({
      ok: false,
      error: 'forbidden',
    });
  });

  it('websocket_federation_push_and_pull_with_valid_ucan: stored, local watchers told, pull streams it', async () => {
    const { server: s, peer } = await setup();
    const user = s.user('bob');
    const space = await s.sharedSpace(user);
    const client = await s.connect(user);
    await client.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: space.grant(user, '/space/read') }],
    });
    const write = space.root.issue({ audience: bearer.did, space: space.id });
    const c = change();
    expect(await peer.call('push', { space: space.id, ucan: write, changes: [c] })).toEqual({
      ok: true,
      cursor: 1,
    });
    const sync = await client.nextNotification('sync');
    expect(sync.params).toMatchObject({ space: space.id, prev: 0, cursor: 1, key_generation: 1 });
    await peer.expectNoNotification('sync', 100);
    const read = space.root.issue({ audience: bearer.did, space: space.id, cmd: '/space/read' });
    const pulled = await peer.request('pull', {
      spaces: [
        { id: space.id, since: 0, ucan: read },
        { id: randomUUID(), since: 0, ucan: read },
        { id: 'bad', since: 0 },
      ],
    });
    expect(pulled.chunks.map((ch) => ch.name)).toEqual(['pull.begin', 'pull.record', 'pull.commit']);
    expect(pulled.chunks[1]!.data).toMatchObject({ id: c.id, cursor: 1 });
    expect(pulled.result).toEqual({ _chunks: 3 });
  });

  it('websocket_federation_push_enforces_rate_limit_quota; B14 a conflicting push is not charged; peers independent', async () => {
    const other = new PeerKey('other.example.com');
    const key = new PeerKey();
    const started = await startHome({ peers: [key, other], limits: { maxRecordsPerHour: 1 } });
    server = started.server;
    const peer = await connectPeer(started.fedUrl, key);
    const second = await connectPeer(started.fedUrl, other);
    peers.push(peer, second);
    const space = await server.sharedSpace();
    const write = space.root.issue({ audience: bearer.did, space: space.id });
    const conflict = await peer.call('push', {
      space: space.id,
      ucan: write,
      changes: [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 5 }],
    });
    expect(conflict).toEqual({ ok: false, error: 'conflict' });
    expect((await status(server)).records_this_hour).toBe(0);
    expect(await peer.call('push', { space: space.id, ucan: write, changes: [change()] })).toMatchObject({
      ok: true,
    });
    const over = await peer.request('push', { space: space.id, ucan: write, changes: [change()] });
    expect(over.error).toEqual({ code: 'rate_limited', message: 'record push quota exceeded' });
    expect(started.events.quota).toEqual(['records']);
    const elsewhere = await second.call('push', {
      space: space.id,
      ucan: write,
      changes: [{ id: randomUUID(), blob: new Uint8Array([2]), expected_cursor: 0 }],
    });
    expect(elsewhere).toEqual({ ok: true, cursor: 2 });
    const snapshot = await status(server);
    expect(snapshot).toEqual({
      domain: 'peer.example.com',
      connections: 1,
      spaces: 0,
      records_this_hour: 1,
      bytes_this_hour: 3,
      invitations_this_hour: 0,
    });
  });

  it('FED-QUOTA-04 the byte budget refuses a push whose blob+dek bytes exceed it', async () => {
    const { server: s, peer, events } = await setup({ limits: { maxBytesPerHour: 4 } });
    const space = await s.sharedSpace();
    const write = space.root.issue({ audience: bearer.did, space: space.id });
    const big = { id: randomUUID(), blob: new Uint8Array(3), dek: new Uint8Array(2), expected_cursor: 0 };
    const over = await peer.request('push', { space: space.id, ucan: write, changes: [big] });
    expect(over.error?.code).toBe('rate_limited');
    expect(events.quota).toEqual(['bytes']);
  });
});

describe('FED-RPC-07 fed.invitation', () => {
  const mailbox = () => randomBytes(32).toString('hex');

  it('websocket_federation_invitation_create_returns_ok and stores it for the mailbox', async () => {
    const { server: s, peer } = await setup();
    const box = mailbox();
    expect(await peer.call('fed.invitation', { mailbox_id: box, payload: 'hello' })).toEqual({ ok: true });
    const stored = await s.storage.listInvitations(box, 10);
    expect(Buffer.from(stored[0]!.payload).toString()).toBe('hello');
  });

  it('validation comes before the quota; websocket_federation_invitation_quota_is_enforced', async () => {
    const { server: s, peer, events } = await setup({ limits: { maxInvitationsPerHour: 1 } });
    const bad = await peer.request('fed.invitation', { mailbox_id: 'ABC', payload: 'x' });
    expect(bad.error).toEqual({ code: 'bad_request', message: 'mailbox_id must be 64-char hex string' });
    const empty = await peer.request('fed.invitation', { mailbox_id: mailbox(), payload: '' });
    expect(empty.error).toEqual({ code: 'bad_request', message: 'missing payload' });
    const large = await peer.request('fed.invitation', {
      mailbox_id: mailbox(),
      payload: 'x'.repeat(131_073),
    });
    expect(large.error).toEqual({ code: 'payload_too_large', message: 'payload too large' });
    expect(await peer.call('fed.invitation', { mailbox_id: mailbox(), payload: 'one' })).toEqual({
      ok: true,
    });
    const over = await peer.request('fed.invitation', { mailbox_id: mailbox(), payload: 'two' });
    expect(over.error).toEqual({ code: 'rate_limited', message: 'invitation quota exceeded' });
    expect(events.quota).toEqual(['invitations']);
    expect((await status(s)).invitations_this_hour).toBe(1);
  });
});
