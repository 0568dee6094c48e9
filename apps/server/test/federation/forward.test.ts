/**
 * Two-server federation suite, the origin side (federation spec §8 step 5; FED-RPC-10..13, FED-PEER,
 * R17, R28, R29): B's ordinary clients work on spaces homed on A; everything travels over B's one signed
 * socket to A. Each test seeds its own space.
 */
import { createHash, randomBytes } from 'node:crypto';
import { computeUcanCid, signHttpRequest } from '@less-sync/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { params } from './client.js';
import { DOMAIN_B, type Pair, startPair } from './pair.js';
import { change, closeClients, member, seedSharedSpace, sleep, storedCursor } from './spaces.js';
import { buildAll, postgresReachable } from './support.js';

const reachable = await postgresReachable('federation');
/** A's hourly budget for B's pushes; the quota test pushes one record more in one go. */
const RECORDS_PER_HOUR = 200;
let pair: Pair;

beforeAll(async () => {
  if (!reachable) return;
  buildAll();
  pair = await startPair({ envA: { FEDERATION_MAX_RECORDS_PER_HOUR: String(RECORDS_PER_HOUR) } });
}, 300_000);

afterAll(async () => {
  closeClients();
  if (reachable) await pair?.stop();
});

interface PeerStatus {
  readonly connections: number;
  readonly spaces: number;
}

async function statusOfB(): Promise<PeerStatus> {
  const { token } = await pair.a.token('status-reader');
  const res = await fetch(`${pair.a.base}/api/v1/federation/status/${DOMAIN_B}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return (await res.json()) as PeerStatus;
}

type Space = Awaited<ReturnType<typeof seedSharedSpace>>;
type Member = Awaited<ReturnType<Space['member']>>;

async function subscribed(m: Member, space: string) {
  const result = await m.client.call('subscribe', { spaces: [{ id: space, since: 0, ucan: m.ucan }] });
  expect(result.errors ?? []).toEqual([]);
  expect((result.spaces as Array<Record<string, unknown>>).map((s) => s.id)).toEqual([space]);
  return result;
}

/** Lets late duplicates arrive before counting. */
const settle = () => sleep(400);

describe.skipIf(!reachable)('two servers: B forwards its clients to A', () => {
  it('FED-RPC-10 FED-PEER-01 FED-PEER-03 a subscribe on B opens one signed socket to A and subscribes there', async () => {
    const space = await seedSharedSpace(pair);
    const onB = await space.member(pair.b);
    const result = await subscribed(onB, space.id);
    // B's local cursor (nothing pushed yet), B keeps A's subscribe token to itself.
    expect((result.spaces as Array<Record<string, unknown>>)[0]).toMatchObject({ id: space.id, cursor: 0 });
    expect((result.spaces as Array<Record<string, unknown>>)[0]?.token ?? '').toBe('');
    const status = await statusOfB();
    expect(status).toMatchObject({ connections: 1, spaces: 1 });
    const health = (await (await fetch(`${pair.a.base}/health`)).json()) as { federation: PeerStatus };
    expect(health.federation.connections).toBe(1);
  });

  it('FED-RPC-11 R28 a push on B is stored on A, returns A cursor, and every other subscriber sees it exactly once', async () => {
    const space = await seedSharedSpace(pair);
    const pusher = await space.member(pair.b);
    const otherOnB = await space.member(pair.b);
    const onA = await space.member(pair.a);
    for (const m of [pusher, otherOnB, onA]) await subscribed(m, space.id);
    // Two pushes (one cursor step each, whatever the number of changes); B's own row stays at 0.
    const first = await pusher.client.call('push', {
      space: space.id,
      ucan: pusher.ucan,
      changes: [change()],
    });
    const second = await pusher.client.call('push', {
      space: space.id,
      ucan: pusher.ucan,
      changes: [change(), change()],
    });
    expect(first).toMatchObject({ ok: true, cursor: 1 });
    expect(second).toMatchObject({ ok: true, cursor: 2 });
    expect(await storedCursor(pair, 'a', space.id)).toBe(2);
    // Never a local write on the origin (B3).
    expect(await storedCursor(pair, 'b', space.id)).toBe(0);
    for (const m of [otherOnB, onA]) {
      await m.client.waitFor((f) => f.method === 'sync' && params(f).cursor === 2);
    }
    await settle();
    for (const m of [otherOnB, onA]) expect(m.client.count('sync', space.id)).toBe(2);
  });

  it('R28 the pusher of a forwarded push gets its result and no echo, push after push', async () => {
    // A answers the push and then sends `sync` on the same socket; B must leave its pusher out even when
    // both frames arrive in one read (they usually do on loopback).
    const space = await seedSharedSpace(pair);
    const pusher = await space.member(pair.b);
    const other = await space.member(pair.b, '/space/read');
    for (const m of [pusher, other]) await subscribed(m, space.id);
    for (let i = 1; i <= 40; i++) {
      const pushed = await pusher.client.call('push', {
        space: space.id,
        ucan: pusher.ucan,
        changes: [change()],
      });
      expect(pushed).toMatchObject({ ok: true, cursor: i });
      await other.client.waitFor((f) => f.method === 'sync' && params(f).cursor === i);
    }
    await settle();
    expect(other.client.count('sync', space.id)).toBe(40);
    expect(pusher.client.count('sync', space.id)).toBe(0);
  });

  it('FED-RPC-12 a pull on B streams A chunks: pull.begin carries A cursor; _chunks is counted by B', async () => {
    const space = await seedSharedSpace(pair);
    const writer = await space.member(pair.a);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = change();
      ids.push(c.id);
      await writer.client.call('push', { space: space.id, ucan: writer.ucan, changes: [c] });
    }
    const reader = await space.member(pair.b, '/space/read');
    const reply = await reader.client.request('pull', {
      spaces: [{ id: space.id, since: 0, ucan: reader.ucan }],
    });
    expect(reply.error).toBeUndefined();
    const names = reply.chunks.map((c) => c.name);
    expect(names[0]).toBe('pull.begin');
    expect(reply.chunks[0]?.data).toMatchObject({ space: space.id, cursor: 3 });
    expect(reply.chunks.filter((c) => c.name === 'pull.record').map((c) => c.data.id)).toEqual(ids);
    expect(names.at(-1)).toBe('pull.commit');
    expect(reply.result).toEqual({ _chunks: reply.chunks.length });
  });

  it('R17 R28 a push made on A reaches B subscriber exactly once', async () => {
    const space = await seedSharedSpace(pair);
    const onB = await space.member(pair.b, '/space/read');
    const onA = await space.member(pair.a);
    await subscribed(onB, space.id);
    const record = change();
    const pushed = await onA.client.call('push', { space: space.id, ucan: onA.ucan, changes: [record] });
    const sync = await onB.client.waitFor((f) => f.method === 'sync' && params(f).space === space.id);
    expect(params(sync)).toMatchObject({ space: space.id, cursor: pushed.cursor });
    expect((params(sync).records as Array<Record<string, unknown>>)[0]?.id).toBe(record.id);
    await settle();
    expect(onB.client.count('sync', space.id)).toBe(1);
  });

  it('R17 a membership entry appended on A reaches B subscriber', async () => {
    const space = await seedSharedSpace(pair);
    const onB = await space.member(pair.b, '/space/read');
    const writer = await space.member(pair.a);
    await subscribed(onB, space.id);
    const payload = new Uint8Array(randomBytes(48));
    const appended = await writer.client.call('membership.append', {
      space: space.id,
      ucan: writer.ucan,
      expected_version: 0,
      entry_hash: new Uint8Array(createHash('sha256').update(payload).digest()),
      payload,
    });
    const notice = await onB.client.waitFor((f) => f.method === 'membership' && params(f).space === space.id);
    const entries = params(notice).entries as Array<Record<string, unknown>>;
    expect(entries.map((e) => e.chain_seq)).toEqual([appended.chain_seq]);
    expect(Buffer.from(entries[0]?.payload as Uint8Array).equals(payload)).toBe(true);
  });

  it('FED-PEER-06 B7 when the last local subscriber leaves, B forwards unsubscribe and A gives the space back', async () => {
    const space = await seedSharedSpace(pair);
    const first = await space.member(pair.b, '/space/read');
    const second = await space.member(pair.b, '/space/read');
    const before = (await statusOfB()).spaces;
    await subscribed(first, space.id);
    await subscribed(second, space.id);
    await expect.poll(async () => (await statusOfB()).spaces, { timeout: 5_000 }).toBe(before + 1);
    first.client.notify('unsubscribe', { spaces: [space.id] });
    // Another local subscriber still needs it: A keeps it.
    await sleep(300);
    expect((await statusOfB()).spaces).toBe(before + 1);
    second.client.notify('unsubscribe', { spaces: [space.id] });
    await expect.poll(async () => (await statusOfB()).spaces, { timeout: 5_000 }).toBe(before);
  });

  it('R17 R8 a revocation on A reaches B subscriber within a second and closes its access', async () => {
    const space = await seedSharedSpace(pair);
    const onB = await space.member(pair.b);
    const admin = await space.member(pair.a, '/space/admin');
    await subscribed(onB, space.id);
    const t0 = performance.now();
    await admin.client.call('membership.revoke', {
      space: space.id,
      ucan: admin.ucan,
      ucan_cid: computeUcanCid(onB.ucan),
    });
    const revoked = await onB.client.waitFor(
      (f) => f.method === 'revoked' && params(f).space === space.id,
      5_000,
    );
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(params(revoked).space).toBe(space.id);
    // The member no longer gets the space's changes, and A refuses its writes (R29: A's code).
    const writer = await space.member(pair.a);
    await writer.client.call('push', { space: space.id, ucan: writer.ucan, changes: [change()] });
    await settle();
    expect(onB.client.count('sync', space.id)).toBe(0);
    const refused = await onB.client.call('push', { space: space.id, ucan: onB.ucan, changes: [change()] });
    expect(refused).toMatchObject({ ok: false, error: 'forbidden' });
  });

  it('FED-QUOTA-04 R29 the records quota on A is rate_limited at B client, promptly, and stores nothing', async () => {
    const space = await seedSharedSpace(pair);
    const pusher = await space.member(pair.b);
    const changes = Array.from({ length: RECORDS_PER_HOUR + 1 }, () => change(8));
    const t0 = performance.now();
    const refused = await pusher.client.call('push', { space: space.id, ucan: pusher.ucan, changes }, 10_000);
    expect(refused).toMatchObject({ ok: false, error: 'rate_limited' });
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await storedCursor(pair, 'a', space.id)).toBe(0);
    // B7: the refusal did not drop B's socket: the next push goes through on the same one.
    const ok = await pusher.client.call('push', { space: space.id, ucan: pusher.ucan, changes: [change()] });
    expect(ok).toMatchObject({ ok: true, cursor: 1 });
    expect((await statusOfB()).connections).toBe(1);
  });

  it('FED-RPC-13 an invitation created on B for A lands in the A user mailbox', async () => {
    const recipient = await member(pair.a, () => '');
    const sender = await member(pair.b, () => '');
    const payload = `sealed-${Date.now()}`;
    const created = await sender.client.call('invitation.create', {
      mailbox_id: recipient.mailbox,
      payload,
      server: `127.0.0.1:${pair.a.port}`,
    });
    expect(created).toEqual({ id: 'forwarded', payload, created_at: '', expires_at: '' });
    const listed = await recipient.client.call('invitation.list', {});
    expect((listed.invitations as Array<Record<string, unknown>>).map((i) => i.payload)).toEqual([payload]);
    // Nothing stored on B.
    expect((await sender.client.call('invitation.list', {})).invitations).toEqual([]);
    const untrusted = await sender.client.request('invitation.create', {
      mailbox_id: recipient.mailbox,
      payload,
      server: 'c.fed.test',
    });
    expect(untrusted.error).toEqual({
      code: 'bad_request',
      message: 'target server is not a trusted federation peer',
    });
  });

  it('R29 FED-RPC-10 an unknown space at A is a per-space not_found at B client, never served from B', async () => {
    const space = await seedSharedSpace(pair, { onHome: false });
    const onB = await space.member(pair.b);
    const result = await onB.client.call('subscribe', {
      spaces: [{ id: space.id, since: 0, ucan: onB.ucan }],
    });
    expect(result.spaces).toEqual([]);
    expect(result.errors).toEqual([{ space: space.id, error: 'not_found' }]);
    const push = await onB.client.call('push', { space: space.id, ucan: onB.ucan, changes: [change()] });
    expect(push).toMatchObject({ ok: false, error: 'not_found' });
    expect(await storedCursor(pair, 'b', space.id)).toBe(0);
  });

  it('R29 FED-RPC-03 a UCAN A refuses (other root key there) is forbidden at B client, per space', async () => {
    const space = await seedSharedSpace(pair, { foreignRootOnHome: true });
    const good = await seedSharedSpace(pair);
    const onB = await space.member(pair.b);
    const ucanGood = good.root.issue(onB.device.did, good.id, '/space/write');
    const result = await onB.client.call('subscribe', {
      spaces: [
        { id: space.id, since: 0, ucan: onB.ucan },
        { id: good.id, since: 0, ucan: ucanGood },
      ],
    });
    // The refused space does not stop the other one (R29, B6).
    expect(result.errors).toEqual([{ space: space.id, error: 'forbidden' }]);
    expect((result.spaces as Array<Record<string, unknown>>).map((s) => s.id)).toEqual([good.id]);
    const push = await onB.client.call('push', { space: space.id, ucan: onB.ucan, changes: [change()] });
    expect(push).toMatchObject({ ok: false, error: 'forbidden' });
  });

  it('FED-WS-07 FED-QUOTA-02 B manager socket counts toward A connection quota: the third extra socket gets 4003', async () => {
    // B's manager already holds one socket (earlier tests forwarded through it); the default limit is 3.
    expect((await statusOfB()).connections).toBe(1);
    const url = pair.a.fedUrl;
    const open = (): Promise<{ ws: WebSocket; closed: Promise<number> }> => {
      const host = new URL(url).host;
      const headers = signHttpRequest(
        { method: 'GET', url, headers: { host } },
        pair.keyB.seed,
        pair.keyB.keyId,
      );
      const ws = new WebSocket(url, 'less-rpc-v1', { headers: { ...headers } });
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      return new Promise((resolve, reject) => {
        ws.once('open', () => resolve({ ws, closed }));
        ws.once('error', reject);
      });
    };
    const extra = [await open(), await open()];
    try {
      await expect.poll(async () => (await statusOfB()).connections, { timeout: 5_000 }).toBe(3);
      const refused = await open();
      expect(await refused.closed).toBe(4003);
    } finally {
      for (const e of extra) e.ws.close();
      await Promise.all(extra.map((e) => e.closed));
    }
    // The manager's own link was not disturbed: forwarding still works.
    const space = await seedSharedSpace(pair);
    const onB = await space.member(pair.b);
    expect(
      await onB.client.call('push', { space: space.id, ucan: onB.ucan, changes: [change()] }),
    ).toMatchObject({
      ok: true,
    });
  });
});
