import { randomUUID } from 'node:crypto';
import { type Storage, StorageError } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { overrideStorage, TestServer, type TestUser } from '../../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** Store invitations for a mailbox directly, in creation order. */
async function seed(mailbox: string, payloads: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const payload of payloads) {
    const created = await server.storage.createInvitation({
      mailboxId: mailbox,
      payload: Buffer.from(payload),
    });
    ids.push(created.id);
  }
  return ids;
}

async function expireAll(mailbox: string): Promise<void> {
  await server.query(
    "UPDATE invitations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE mailbox_id = $1",
    [mailbox],
  );
}

async function connected(
  name: string,
  overrides = {},
): Promise<{ user: TestUser; c: Awaited<ReturnType<TestServer['connect']>> }> {
  const user = server.user(name, overrides);
  return { user, c: await server.connect(user) };
}

describe('invitation.list (RPC-INV-3)', () => {
  it('RPC-INV-3 websocket_invitation_list_returns_mailbox_entries in creation order, keyset-paged by `after`', async () => {
    server = await TestServer.start();
    const { user: alice, c } = await connected('alice');
    const ids = await seed(alice.mailboxId, ['one', 'two', 'three']);
    const all = await c.call('invitation.list', { limit: 10 });
    const listed = all.invitations as Array<Record<string, unknown>>;
    expect(listed.map((i) => i.payload)).toEqual(['one', 'two', 'three']);
    expect(listed.map((i) => i.id)).toEqual(ids);
    expect(Object.keys(listed[0] ?? {})).toEqual(['id', 'payload', 'created_at', 'expires_at']);
    const page = await c.call('invitation.list', { limit: 2 });
    expect((page.invitations as unknown[]).length).toBe(2);
    const next = await c.call('invitation.list', { limit: 2, after: ids[1] });
    expect((next.invitations as Array<{ id: string }>).map((i) => i.id)).toEqual([ids[2]]);
    // The SDK sends `{}` when it has no params.
    expect(((await c.call('invitation.list', {})).invitations as unknown[]).length).toBe(3);
  });

  it('RPC-INV-3 websocket_invitation_list_wrong_mailbox_returns_empty_list; `after` from another mailbox gives nothing', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const { c } = await connected('bob');
    const ids = await seed(alice.mailboxId, ['for alice']);
    expect(await c.call('invitation.list', {})).toEqual({ invitations: [] });
    expect(await c.call('invitation.list', { after: ids[0] })).toEqual({ invitations: [] });
    expect(await c.call('invitation.list', { after: randomUUID() })).toEqual({ invitations: [] });
  });

  it('RPC-INV-3 expired invitations are not listed', async () => {
    server = await TestServer.start();
    const { user: alice, c } = await connected('alice');
    await seed(alice.mailboxId, ['old']);
    await expireAll(alice.mailboxId);
    await seed(alice.mailboxId, ['new']);
    const listed = (await c.call('invitation.list', {})).invitations as Array<{ payload: string }>;
    expect(listed.map((i) => i.payload)).toEqual(['new']);
  });

  it('RPC-INV-3 limit: 50 when ≤ 0 or absent, at most 200', async () => {
    server = await TestServer.start();
    const { user: alice, c } = await connected('alice');
    await server.query(
      "INSERT INTO invitations (mailbox_id, payload, expires_at) SELECT $1, convert_to('p' || n, 'UTF8'), now() + interval '7 days' FROM generate_series(1, 210) n",
      [alice.mailboxId],
    );
    const count = async (params: Record<string, unknown>) =>
      ((await c.call('invitation.list', params)).invitations as unknown[]).length;
    expect(await count({})).toBe(50);
    expect(await count({ limit: 0 })).toBe(50);
    expect(await count({ limit: -5 })).toBe(50);
    expect(await count({ limit: 7 })).toBe(7);
    expect(await count({ limit: 1000 })).toBe(200);
  });

  it('RPC-INV-3 the mailbox falls back to the client id when the JWT has none', async () => {
    server = await TestServer.start();
    const { user: carol, c } = await connected('carol', { mailbox_id: '' });
    await seed(carol.clientId, ['for carol']);
    const listed = (await c.call('invitation.list', {})).invitations as Array<{ payload: string }>;
    expect(listed.map((i) => i.payload)).toEqual(['for carol']);
  });

  it('RPC-INV-3 bad input: invalid params and a non-UUID cursor', async () => {
    server = await TestServer.start();
    const { c } = await connected('alice');
    for (const params of [
      'not-a-map',
      undefined,
      { limit: 'ten' },
      { after: 5 },
      { limit: 2 ** 31 },
      { after: null },
    ]) {
      expect((await c.request('invitation.list', params)).error, JSON.stringify(params)).toEqual({
        code: 'invalid_params',
        message: 'invalid invitation list params',
      });
    }
    expect((await c.request('invitation.list', { after: 'not-a-uuid' })).error).toEqual({
      code: 'bad_request',
      message: 'invalid invitation cursor',
    });
  });

  it('RPC-INV-3 storage failures are internal "internal"', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage({
        listInvitations: () => Promise.reject(new StorageError('Database', { detail: 'down' })),
        getInvitation: () => Promise.reject(new Error('down')),
        deleteInvitation: () => Promise.reject(new Error('down')),
      }),
    });
    const { c } = await connected('alice');
    const internal = { code: 'internal', message: 'internal' };
    expect((await c.request('invitation.list', {})).error).toEqual(internal);
    expect((await c.request('invitation.get', { id: randomUUID() })).error).toEqual(internal);
    expect((await c.request('invitation.delete', { id: randomUUID() })).error).toEqual(internal);
  });
});

describe('invitation.get (RPC-INV-4)', () => {
  it('RPC-INV-4 websocket_invitation_get_returns_entry (any UUID spelling of the id)', async () => {
    server = await TestServer.start();
    const { user: alice, c } = await connected('alice');
    const [id] = await seed(alice.mailboxId, ['ciphertext-1']);
    const got = await c.call('invitation.get', { id: String(id).toUpperCase() });
    expect(got.id).toBe(id);
    expect(got.payload).toBe('ciphertext-1');
    expect(got).toEqual(((await c.call('invitation.list', {})).invitations as unknown[])[0]);
  });

  it('RPC-INV-4 websocket_invitation_get_not_found_returns_not_found_error: unknown, another mailbox, or expired', async () => {
    server = await TestServer.start();
    const { user: alice, c } = await connected('alice');
    const bob = server.user('bob');
    const [bobs] = await seed(bob.mailboxId, ['for bob']);
    const [expired] = await seed(alice.mailboxId, ['old']);
    await expireAll(alice.mailboxId);
    for (const id of [randomUUID(), bobs, expired]) {
      expect((await c.request('invitation.get', { id })).error).toEqual({
        code: 'not_found',
        message: 'not found',
      });
    }
  });

  it('RPC-INV-4 bad input: invalid params and a non-UUID id', async () => {
    server = await TestServer.start();
    const { c } = await connected('alice');
    for (const params of ['x', undefined, {}, { id: 1 }]) {
      expect((await c.request('invitation.get', params)).error).toEqual({
        code: 'invalid_params',
        message: 'invalid invitation get params',
      });
    }
    expect((await c.request('invitation.get', { id: 'nope' })).error).toEqual({
      code: 'bad_request',
      message: 'invalid invitation id',
    });
  });
});

describe('invitation.delete (RPC-INV-5)', () => {
  it('RPC-INV-5 websocket_invitation_delete_returns_empty_result; expired ones can be deleted too', async () => {
    server = await TestServer.start();
    const { user: alice, c } = await connected('alice');
    const [expired] = await seed(alice.mailboxId, ['old']);
    await expireAll(alice.mailboxId);
    const [fresh] = await seed(alice.mailboxId, ['new']);
    expect(await c.call('invitation.delete', { id: fresh })).toEqual({});
    expect(await c.call('invitation.delete', { id: expired })).toEqual({});
    expect(await server.query('SELECT * FROM invitations')).toEqual([]);
  });

  it("RPC-INV-5 websocket_invitation_delete_not_found_returns_not_found; another mailbox's row stays", async () => {
    server = await TestServer.start();
    const { c } = await connected('alice');
    const bob = server.user('bob');
    const [bobs] = await seed(bob.mailboxId, ['for bob']);
    for (const id of [randomUUID(), bobs]) {
      expect((await c.request('invitation.delete', { id })).error).toEqual({
        code: 'not_found',
        message: 'not found',
      });
    }
    expect(await server.query('SELECT id FROM invitations')).toEqual([{ id: bobs }]);
  });

  it('RPC-INV-5 bad input: invalid params and a non-UUID id change nothing', async () => {
    server = await TestServer.start();
    const { user: alice, c } = await connected('alice');
    await seed(alice.mailboxId, ['keep']);
    for (const params of ['x', undefined, {}, { id: null }]) {
      expect((await c.request('invitation.delete', params)).error).toEqual({
        code: 'invalid_params',
        message: 'invalid invitation delete params',
      });
    }
    expect((await c.request('invitation.delete', { id: 'nope' })).error).toEqual({
      code: 'bad_request',
      message: 'invalid invitation id',
    });
    expect(await server.query('SELECT id FROM invitations')).toHaveLength(1);
  });
});

describe('invitation result formatting failures (RPC-INV-1)', () => {
  it('RPC-INV-1 RPC-INV-4 an invitation whose timestamps cannot be formatted is internal "internal"', async () => {
    server = await TestServer.start({
      wrapStorage: overrideStorage((storage) => ({
        createInvitation: async (input: Parameters<Storage['createInvitation']>[0]) => ({
          ...(await storage.createInvitation(input)),
          createdAtMicros: Number.NaN,
        }),
        getInvitation: async (id: string, mailbox: string) => ({
          ...(await storage.getInvitation(id, mailbox)),
          expiresAtMicros: 2 ** 60,
        }),
      })),
    });
    const { user: alice, c } = await connected('alice');
    const internal = { code: 'internal', message: 'internal' };
    expect(
      (await c.request('invitation.create', { mailbox_id: alice.mailboxId, payload: 'x' })).error,
    ).toEqual(internal);
    const [id] = (await server.query<{ id: string }>('SELECT id FROM invitations')).map((r) => r.id);
    expect((await c.request('invitation.get', { id })).error).toEqual(internal);
    expect(server.logged('invitation result formatting failed')).toBeDefined();
  });
});
