import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytes, expectKind, mailboxId, useTestStorage } from './helpers.js';

const SEVEN_DAYS_US = 7 * 24 * 3600 * 1_000_000;

describe('invitations', () => {
  const ctx = useTestStorage();
  const create = (mailbox: string, payload: string) =>
    ctx.storage.createInvitation({ mailboxId: mailbox, payload: bytes(payload) });
  const expire = (id: string) =>
    ctx.t.executor.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      id,
    ]);

  it('STORE-INV-01 STORE-INV-02 STORE-INV-03 STORE-INV-04 STORE-GEN-06 create, list, get and delete are scoped to the mailbox (invitation_crud_and_mailbox_scope)', async () => {
    const a = mailboxId();
    const b = mailboxId();
    const created = await create(a, 'encrypted-payload');
    expect(created.expiresAtMicros - created.createdAtMicros).toBe(SEVEN_DAYS_US);
    expect(created.createdAt.getTime()).toBe(Math.floor(created.createdAtMicros / 1000));
    const listA = await ctx.storage.listInvitations(a, 10);
    expect(listA).toEqual([created]);
    expect(listA[0]?.expiresAt.getTime()).toBeGreaterThan(listA[0]?.createdAt.getTime() ?? Infinity);
    expect(await ctx.storage.listInvitations(b, 10)).toEqual([]);
    const got = await ctx.storage.getInvitation(created.id, a);
    expect(got).toMatchObject({ mailboxId: a, payload: bytes('encrypted-payload') });
    const wrong = await expectKind(ctx.storage.getInvitation(created.id, b), 'InvitationNotFound');
    expect(wrong.message).toBe('invitation not found');
    await expectKind(ctx.storage.deleteInvitation(created.id, b), 'InvitationNotFound');
    await ctx.storage.deleteInvitation(created.id, a);
    await expectKind(ctx.storage.getInvitation(created.id, a), 'InvitationNotFound');
    await expectKind(ctx.storage.deleteInvitation(created.id, a), 'InvitationNotFound');
  });

  it('STORE-INV-02 STORE-INV-03 STORE-INV-05 STORE-JOB-01 expiry, keyset pages and purge (list_invitations_pagination_and_expiry)', async () => {
    const mailbox = mailboxId();
    for (const p of ['p1', 'p2', 'p3']) await create(mailbox, p);
    const all = await ctx.storage.listInvitations(mailbox, 10);
    // Oldest first by (created_at, id); creations within one clock tick tie on created_at.
    const key = (i: (typeof all)[number]) => `${String(i.createdAtMicros).padStart(20, '0')}/${i.id}`;
    expect(all.map(key)).toEqual(all.map(key).sort());
    expect(all.map((i) => new TextDecoder().decode(i.payload)).sort()).toEqual(['p1', 'p2', 'p3']);
    const expired = all[1]?.id ?? '';
    await expire(expired);
    const live = await ctx.storage.listInvitations(mailbox, 10);
    expect(live.map((i) => i.id)).toEqual([all[0]?.id, all[2]?.id]);
    await expectKind(ctx.storage.getInvitation(expired, mailbox), 'InvitationNotFound');
    const page1 = await ctx.storage.listInvitations(mailbox, 1);
    expect(page1.map((i) => i.id)).toEqual([all[0]?.id]);
    const page2 = await ctx.storage.listInvitations(mailbox, 10, page1[0]?.id);
    expect(page2.map((i) => i.id)).toEqual([all[2]?.id]);
    // An expired (not yet purged) anchor still works as a cursor.
    expect((await ctx.storage.listInvitations(mailbox, 10, expired)).map((i) => i.id)).toEqual([all[2]?.id]);
    expect(await ctx.storage.purgeExpiredInvitations()).toBe(1);
    expect(await ctx.storage.purgeExpiredInvitations()).toBe(0);
    expect(await ctx.storage.listInvitations(mailbox, 10, expired)).toEqual([]);
  });

  it('STORE-INV-02 RPC-INV-3 creation order is exact even when the clock has not advanced (PGlite millisecond clock)', async () => {
    const a = mailboxId();
    const first = await create(a, 'first');
    // Stand in for a coarse or stalled clock: the previous invitation's time is ahead of now().
    await ctx.t.executor.query(
      `UPDATE invitations SET created_at = now() + interval '1 second', expires_at = now() + interval '7 days 1 second' WHERE id = $1`,
      [first.id],
    );
    const created = [first.id];
    for (let i = 0; i < 5; i++) created.push((await create(a, `n${i}`)).id);
    expect((await ctx.storage.listInvitations(a, 10)).map((x) => x.id)).toEqual(created);
    const page1 = await ctx.storage.listInvitations(a, 3);
    const page2 = await ctx.storage.listInvitations(a, 10, page1.at(-1)?.id);
    expect([...page1, ...page2].map((x) => x.id)).toEqual(created);
    const last = await ctx.storage.getInvitation(created.at(-1) as string, a);
    expect(last.expiresAtMicros - last.createdAtMicros).toBe(SEVEN_DAYS_US);
  });

  it('STORE-INV-04 an expired invitation can still be deleted by its owner', async () => {
    const mailbox = mailboxId();
    const inv = await create(mailbox, 'x');
    await expire(inv.id);
    await ctx.storage.deleteInvitation(inv.id, mailbox);
    expect(await ctx.storage.purgeExpiredInvitations()).toBe(0);
  });

  it('STORE-INV-02 cursor edge cases: another mailbox, unknown id, zero limit (list_invitations_cursor_edge_cases)', async () => {
    const a = mailboxId();
    const b = mailboxId();
    await create(a, 'a1');
    await create(a, 'a2');
    const [fromB] = [await create(b, 'b1')];
    expect(await ctx.storage.listInvitations(a, 10, fromB?.id)).toEqual([]);
    expect(await ctx.storage.listInvitations(a, 10, randomUUID())).toEqual([]);
    expect(await ctx.storage.listInvitations(a, 0)).toEqual([]);
    expect(await ctx.storage.listInvitations(a, -5)).toEqual([]);
    expect(await ctx.storage.listInvitations(a, Number.MAX_SAFE_INTEGER)).toHaveLength(2);
  });

  it('SCHEMA-12 STORE-INV-01 short mailbox ids come back blank-padded; long ones are database errors', async () => {
    const inv = await create('short', 'x');
    expect(inv.mailboxId).toBe('short'.padEnd(64, ' '));
    expect(await ctx.storage.listInvitations('short', 10)).toHaveLength(1);
    await expectKind(create('x'.repeat(65), 'x'), 'Database');
  });
});
