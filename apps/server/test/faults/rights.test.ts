import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { encodeNotification, type WireObject } from '@less-sync/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../child.js';
import { devToken, type Reply, Session, useFaultRig } from './support.js';

const rig = useFaultRig();
let base = '';
let wsUrl = '';

beforeAll(async () => {
  ({ base, wsUrl } = await rig.start(await freePort(), {
    FILE_STORAGE_BACKEND: 'local',
    FILE_STORAGE_PATH: join(rig.dataDir, 'files'),
  }));
}, 300_000);

/** What the owner sees of a space: records with cursors, file bytes, membership. */
async function snapshot(owner: Session, space: string, token: string, file: string): Promise<unknown> {
  const pull = await owner.request('pull', { spaces: [{ id: space, since: 0 }] });
  const members = await owner.request('membership.list', { space });
  const res = await fetch(`${base}/api/v1/spaces/${space}/files/${file}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return {
    chunks: pull.chunks.map((c) => ({ name: c.name, data: c.data })),
    members: members.result ?? members.error,
    file: [res.status, Buffer.from(await res.arrayBuffer()).toString('hex')],
  };
}

function refused(reply: Reply, space: string): boolean {
  if (reply.error !== undefined) return reply.error.code !== 'internal';
  const r = reply.result ?? {};
  if (r.ok === false) return true;
  if (Array.isArray(r.errors) && r.errors.some((e) => (e as { space?: string }).space === space)) return true;
  return false;
}

describe('fault: every method and file route without rights', () => {
  it('FAULT-6 another user is refused everywhere on a personal space and nothing changes', async () => {
    const alice = await devToken(base, 'alice');
    const mallory = await devToken(base, 'mallory');
    const owner = await Session.open(wsUrl, alice.token);
    const space = alice.space;
    const record = randomUUID();
    const file = randomUUID();
    const dek = Buffer.alloc(44, 3);
    expect(
      (
        await owner.request('push', {
          space,
          changes: [{ id: record, blob: new Uint8Array([7]), expected_cursor: 0, dek }],
        })
      ).result?.ok,
    ).toBe(true);
    const put = await fetch(`${base}/api/v1/spaces/${space}/files/${file}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${alice.token}`,
        'X-Record-ID': record,
        'X-Wrapped-DEK': dek.toString('base64'),
      },
      body: Buffer.from('secret'),
    });
    expect(put.status).toBe(201);
    const before = await snapshot(owner, space, alice.token, file);

    const m = await Session.open(wsUrl, mallory.token);
    const calls: Array<[string, WireObject]> = [
      ['subscribe', { spaces: [{ id: space, since: 0 }] }],
      ['push', { space, changes: [{ id: record, blob: new Uint8Array([6]), expected_cursor: 1 }] }],
      ['push', { space, changes: [{ id: randomUUID(), blob: new Uint8Array([6]), expected_cursor: 0 }] }],
      ['membership.append', { space, ucan: '', expected_version: 0, payload: new Uint8Array([1]) }],
      ['membership.list', { space }],
      ['membership.revoke', { space, ucan_cid: 'c'.repeat(64) }],
      ['epoch.begin', { space, epoch: 2 }],
      ['epoch.complete', { space, epoch: 2 }],
      ['deks.get', { space, since: 0 }],
      ['deks.rewrap', { space, deks: [{ id: record, dek }] }],
      ['file.deks.get', { space, since: 0 }],
      ['file.deks.rewrap', { space, deks: [{ id: file, dek }] }],
      ['space.create', { id: space, root_public_key: new Uint8Array(33).fill(2) }],
    ];
    for (const [method, params] of calls) {
      const reply = await m.request(method, params);
      expect({ method, refused: refused(reply, space), reply }).toMatchObject({ method, refused: true });
    }
    const pull = await m.request('pull', { spaces: [{ id: space, since: 0 }] });
    expect(pull.chunks.filter((c) => c.name === 'pull.record')).toEqual([]);
    // Notifications without rights are dropped silently.
    m.ws.send(encodeNotification('presence.set', { space, data: new Uint8Array([1]) }));
    m.ws.send(encodeNotification('event.send', { space, data: new Uint8Array([1]) }));
    for (const method of ['GET', 'HEAD', 'PUT'] as const) {
      const res = await fetch(
        `${base}/api/v1/spaces/${space}/files/${method === 'PUT' ? randomUUID() : file}`,
        {
          method,
          headers: {
            Authorization: `Bearer ${mallory.token}`,
            'X-Record-ID': record,
            'X-Wrapped-DEK': dek.toString('base64'),
          },
          ...(method === 'PUT' ? { body: Buffer.from('evil') } : {}),
        },
      );
      expect({ method, status: res.status }).toMatchObject({ method });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    // A barrier: mallory's connection has handled everything it sent.
    await m.request('invitation.list', {});
    expect(await snapshot(owner, space, alice.token, file)).toEqual(before);
    owner.close();
    m.close();
  });
});
