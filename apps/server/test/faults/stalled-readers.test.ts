import { randomUUID } from 'node:crypto';
import { encodeRequest } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import { freePort } from '../child.js';
import { devToken, Session, useFaultRig } from './support.js';

const rig = useFaultRig();

const READER_USERS = 5; // three connections each (the per-mailbox limit): fifteen stalled readers
const RECORDS_PER_USER = 24;
const RECORD_BYTES = 1024 * 1024;

describe('fault: stalled readers', () => {
  it('FAULT-4 fifteen pulls that stop reading do not starve another user: its push succeeds and /health stays 200', async () => {
    const { base, wsUrl } = await rig.start(await freePort());

    const readers: Session[] = [];
    for (let u = 0; u < READER_USERS; u++) {
      const { token, space } = await devToken(base, `reader-${u}`);
      const writer = await Session.open(wsUrl, token);
      for (let i = 0; i < RECORDS_PER_USER; i++) {
        const reply = await writer.request('push', {
          space,
          changes: [{ id: randomUUID(), blob: new Uint8Array(RECORD_BYTES).fill(i), expected_cursor: 0 }],
        });
        expect(reply.result?.ok).toBe(true);
      }
      writer.close();
      await writer.closed;
      for (let c = 0; c < 3; c++) {
        const s = await Session.open(wsUrl, token);
        // Authenticated (a round trip), then a large pull whose answer is never read.
        await s.request('invitation.list', {});
        (s.ws as unknown as { _socket: { pause(): void } })._socket.pause();
        s.ws.send(encodeRequest(`big-${u}-${c}`, 'pull', { spaces: [{ id: space, since: 0 }] }));
        readers.push(s);
      }
    }

    // Another user, meanwhile: writes still go through and the server reports healthy.
    const { token, space } = await devToken(base, 'bystander');
    const bystander = await Session.open(wsUrl, token);
    for (let i = 0; i < 5; i++) {
      const reply = await bystander.request(
        'push',
        { space, changes: [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }] },
        60_000,
      );
      expect(reply.error).toBeUndefined();
      expect(reply.result?.ok).toBe(true);
    }
    expect((await fetch(`${base}/health`, { signal: AbortSignal.timeout(30_000) })).status).toBe(200);
    bystander.close();
    for (const r of readers) r.ws.terminate();
  });
});
