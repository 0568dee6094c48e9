import { StorageError } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { closeApiServices, type FederationForwarder, type PeerTarget } from '../../../src/index.js';
import { overrideStorage, TestServer } from '../../harness/index.js';
import { settle, snapshot } from '../fixtures-b.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

interface ForwardCall {
  readonly peer: PeerTarget;
  readonly params: { mailboxId: string; payload: string };
}

function recordingForwarder(fail = false): FederationForwarder & { calls: ForwardCall[] } {
  const calls: ForwardCall[] = [];
  const unused = () => Promise.reject(new Error('not used in invitation tests'));
  return {
    calls,
    subscribe: unused,
    forwardPush: unused,
    pull: unused,
    restoreSubscriptions: unused,
    async forwardInvitation(peer, params) {
      calls.push({ peer, params });
      if (fail) throw new Error('peer unreachable');
    },
  };
}

/** A short notification delay for tests (the default is 1000–4999 ms). */
const fastNotify = (minDelayMs: number) => ({ invitationNotify: { minDelayMs, jitterMs: 0 } });

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('invitation.create, local (RPC-INV-1)', () => {
  it('RPC-INV-1 websocket_invitation_create_returns_created_invitation (7-day expiry, stored as UTF-8)', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const result = await c.call('invitation.create', {
      mailbox_id: alice.mailboxId,
      payload: 'ciphertext-new ✓',
    });
    expect(result.id).toMatch(UUID);
    expect(result.payload).toBe('ciphertext-new ✓');
    expect(result.created_at).toMatch(RFC3339);
    expect(result.expires_at).toMatch(RFC3339);
    const created = Date.parse(String(result.created_at));
    expect(Date.parse(String(result.expires_at)) - created).toBe(7 * 24 * 3600 * 1000);
    const rows = await server.query<{ id: string; mailbox_id: string; payload: Uint8Array }>(
      'SELECT id, mailbox_id, payload FROM invitations',
    );
    // pg returns bytea as a Buffer, PGlite as a Uint8Array: compare the bytes.
    expect(rows.map((r) => ({ ...r, payload: new Uint8Array(r.payload) }))).toEqual([
      { id: result.id, mailbox_id: alice.mailboxId, payload: new TextEncoder().encode('ciphertext-new ✓') },
    ]);
  });

  it('RPC-INV-1 websocket_invitation_create_for_other_mailbox_succeeds (any mailbox may be the target)', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const c = await server.connect(alice);
    const result = await c.call('invitation.create', { mailbox_id: bob.mailboxId, payload: 'for bob' });
    const cb = await server.connect(bob);
    expect(await cb.call('invitation.get', { id: result.id })).toEqual(result);
  });

  it('RPC-INV-1 websocket_invitation_create_invalid_mailbox_returns_bad_request; missing mailbox and payload too', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const before = await snapshot(server);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ mailbox_id: 'not-a-hex-mailbox', payload: 'x' }, 'mailbox_id must be 64-char hex string'],
      [{ mailbox_id: alice.mailboxId.toUpperCase(), payload: 'x' }, 'mailbox_id must be 64-char hex string'],
      [{ mailbox_id: `${alice.mailboxId}0`, payload: 'x' }, 'mailbox_id must be 64-char hex string'],
      [{ mailbox_id: '', payload: 'x' }, 'missing mailbox_id'],
      [{ mailbox_id: '', payload: '' }, 'missing mailbox_id'],
    ];
    for (const [params, message] of cases) {
      expect((await c.request('invitation.create', params)).error).toEqual({ code: 'bad_request', message });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-INV-1 websocket_invitation_create_empty_payload_returns_bad_request', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('invitation.create', { mailbox_id: alice.mailboxId, payload: '' });
    expect(reply.error).toEqual({ code: 'bad_request', message: 'missing payload' });
    expect(await server.query('SELECT * FROM invitations')).toEqual([]);
  });

  it('RPC-INV-1 websocket_invitation_create_oversized_payload_returns_payload_too_large (128 KiB is the limit)', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('invitation.create', {
      mailbox_id: alice.mailboxId,
      payload: 'a'.repeat(128 * 1024 + 1),
    });
    expect(reply.error).toEqual({ code: 'payload_too_large', message: 'payload too large' });
    expect(await server.query('SELECT * FROM invitations')).toEqual([]);
    await c.call('invitation.create', { mailbox_id: alice.mailboxId, payload: 'a'.repeat(128 * 1024) });
  });

  it('RPC-INV-1 websocket_invitation_create_invalid_params_returns_invalid_params_error', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const before = await snapshot(server);
    for (const params of [
      'not-a-map',
      undefined,
      {},
      { mailbox_id: alice.mailboxId },
      { payload: 'x' },
      { mailbox_id: alice.mailboxId, payload: Uint8Array.of(1) },
      { mailbox_id: 7, payload: 'x' },
      { mailbox_id: alice.mailboxId, payload: 'x', server: 443 },
      { mailbox_id: alice.mailboxId, payload: null },
    ]) {
      expect((await c.request('invitation.create', params)).error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid invitation create params',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-INV-1 websocket_invitation_create_storage_failure_returns_internal_error (the action is given back)', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage({
        createInvitation: () => Promise.reject(new StorageError('Unavailable')),
      }),
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('invitation.create', { mailbox_id: alice.mailboxId, payload: 'x' });
    expect(reply.error).toEqual({ code: 'internal', message: 'internal' });
    expect(await server.query('SELECT * FROM rate_limit_actions')).toEqual([]);
  });
});

describe('invitation.create with `server` (RPC-INV-2)', () => {
  it('RPC-INV-2 websocket_invitation_create_with_server_forwards_to_trusted_peer (nothing stored locally)', async () => {
    const forwarder = recordingForwarder();
    server = await TestServer.start({
      federation: forwarder,
      config: { trustedDomains: ['peer.example.com'], ...fastNotify(20) },
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const result = await c.call('invitation.create', {
      mailbox_id: alice.mailboxId,
      payload: 'ciphertext-forwarded',
      server: 'Peer.Example.com',
    });
    expect(result).toEqual({
      id: 'forwarded',
      payload: 'ciphertext-forwarded',
      created_at: '',
      expires_at: '',
    });
    expect(forwarder.calls).toEqual([
      {
        peer: { domain: 'peer.example.com', url: 'wss://peer.example.com/api/v1/federation/ws' },
        params: { mailboxId: alice.mailboxId, payload: 'ciphertext-forwarded' },
      },
    ]);
    expect(await server.query('SELECT * FROM invitations')).toEqual([]);
    expect(await server.query('SELECT action FROM rate_limit_actions')).toEqual([{ action: 'invitation' }]);
    // No local notification for a forwarded invitation.
    await c.expectNoNotification('invitation', 200);
  });

  it('RPC-INV-2 websocket_invitation_create_with_untrusted_server_returns_bad_request (the forwarder is not called)', async () => {
    const forwarder = recordingForwarder();
    server = await TestServer.start({
      federation: forwarder,
      config: { trustedDomains: ['peer-a.example.com'] },
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const before = await snapshot(server);
    const reply = await c.request('invitation.create', {
      mailbox_id: alice.mailboxId,
      payload: 'x',
      server: 'peer-b.example.com',
    });
    expect(reply.error).toEqual({
      code: 'bad_request',
      message: 'target server is not a trusted federation peer',
    });
    expect(forwarder.calls).toEqual([]);
    expect(await snapshot(server)).toEqual(before);
  });

  it('RPC-INV-2 websocket_invitation_create_with_forward_error_returns_internal_error', async () => {
    const forwarder = recordingForwarder(true);
    server = await TestServer.start({
      federation: forwarder,
      config: { trustedDomains: ['peer.example.com'] },
    });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('invitation.create', {
      mailbox_id: alice.mailboxId,
      payload: 'x',
      server: 'peer.example.com',
    });
    expect(reply.error).toEqual({
      code: 'internal',
      message: 'failed to deliver invitation to remote server',
    });
    expect(forwarder.calls).toHaveLength(1);
    expect(await server.query('SELECT * FROM invitations')).toEqual([]);
    expect(await server.query('SELECT * FROM rate_limit_actions')).toEqual([]);
  });

  it('RPC-INV-2 without federation a `server` is an error, never a silent local store', async () => {
    server = await TestServer.start({ config: { trustedDomains: ['peer.example.com'] } });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    const reply = await c.request('invitation.create', {
      mailbox_id: alice.mailboxId,
      payload: 'x',
      server: 'peer.example.com',
    });
    expect(reply.error).toEqual({ code: 'bad_request', message: 'federation is not enabled on this server' });
    expect(await server.query('SELECT * FROM invitations')).toEqual([]);
  });

  it('RPC-INV-2 the target is validated before forwarding', async () => {
    const forwarder = recordingForwarder();
    server = await TestServer.start({
      federation: forwarder,
      config: { trustedDomains: ['peer.example.com'] },
    });
    const c = await server.connect(server.user('alice'));
    const reply = await c.request('invitation.create', {
      mailbox_id: 'bad',
      payload: 'x',
      server: 'peer.example.com',
    });
    expect(reply.error?.code).toBe('bad_request');
    expect(forwarder.calls).toEqual([]);
  });
});

describe('invitation.create rate limit (RPC-RATE-1, R12)', () => {
  it('R12 RPC-RATE-1 at most N invitations per window; failures do not count; at the limit bad input is refused too', async () => {
    server = await TestServer.start({ rateLimits: { invitationCreate: { max: 2, windowSeconds: 3600 } } });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    expect((await c.request('invitation.create', { mailbox_id: 'bad', payload: 'x' })).error?.code).toBe(
      'bad_request',
    );
    await c.call('invitation.create', { mailbox_id: alice.mailboxId, payload: '1' });
    await c.call('invitation.create', { mailbox_id: alice.mailboxId, payload: '2' });
    const before = await snapshot(server);
    for (const params of [
      { mailbox_id: alice.mailboxId, payload: '3' },
      { mailbox_id: 'bad', payload: '' },
    ]) {
      expect((await c.request('invitation.create', params)).error).toEqual({
        code: 'rate_limited',
        message: 'rate limit exceeded: max 2 invitations per hour',
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('R12 concurrent creates cannot exceed the limit (atomic check-and-record)', async () => {
    server = await TestServer.start({ rateLimits: { invitationCreate: { max: 3, windowSeconds: 3600 } } });
    const alice = server.user('alice');
    const clients = await Promise.all([server.connect(alice), server.connect(alice), server.connect(alice)]);
    const replies = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        clients[i % 3]?.request('invitation.create', { mailbox_id: alice.mailboxId, payload: `p${i}` }),
      ),
    );
    expect(replies.filter((r) => r?.result !== undefined)).toHaveLength(3);
    expect(replies.filter((r) => r?.error?.code === 'rate_limited')).toHaveLength(6);
    expect(await server.query('SELECT id FROM invitations')).toHaveLength(3);
    expect(await server.query('SELECT * FROM rate_limit_actions')).toHaveLength(3);
  });
});

describe('the `invitation` notification (RPC-INV-6)', () => {
  it('RPC-INV-6 every connection of the target mailbox gets {} after the delay; the response does not wait', async () => {
    server = await TestServer.start({ config: fastNotify(300) });
    const alice = server.user('alice');
    const bob = server.user('bob');
    const sender = await server.connect(alice);
    const bob1 = await server.connect(bob);
    const bob2 = await server.connect(bob);
    await Promise.all([sender, bob1, bob2].map((c) => c.call('invitation.list', {})));
    await sender.call('invitation.create', { mailbox_id: bob.mailboxId, payload: 'hello' });
    // Answered before the delayed notification went out.
    expect(bob1.notifications).toEqual([]);
    expect(server.services.invitations.pending).toBe(1);
    for (const c of [bob1, bob2]) {
      expect(await c.nextNotification('invitation', 3000)).toEqual({ method: 'invitation', params: {} });
    }
    await sender.expectNoNotification('invitation', 100);
  });

  it('RPC-INV-6 the sender is not excluded when it invites its own mailbox', async () => {
    server = await TestServer.start({ config: fastNotify(10) });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    await c.call('invitation.create', { mailbox_id: alice.mailboxId, payload: 'self' });
    expect((await c.nextNotification('invitation')).params).toEqual({});
  });

  it('RPC-INV-6 with the default notifier the notification arrives within 1–5 s', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const bob = server.user('bob');
    const sender = await server.connect(alice);
    const recipient = await server.connect(bob);
    await recipient.call('invitation.list', {});
    const started = Date.now();
    await sender.call('invitation.create', { mailbox_id: bob.mailboxId, payload: 'hello' });
    await recipient.nextNotification('invitation', 6000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('RPC-INV-6 a notification pending at shutdown is cancelled', async () => {
    server = await TestServer.start({ config: fastNotify(200) });
    const alice = server.user('alice');
    const c = await server.connect(alice);
    await c.call('invitation.create', { mailbox_id: alice.mailboxId, payload: 'x' });
    expect(server.services.invitations.pending).toBe(1);
    await closeApiServices(server.services);
    expect(server.services.invitations.pending).toBe(0);
    await settle(400);
    expect(c.notifications).toEqual([]);
  });
});
