import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freePort } from '../child.js';
import { type Child, devToken, pulledIds, Session, useFaultRig } from './support.js';

const rig = useFaultRig();

const USERS = 8;

describe('fault: kill -9 under push load', () => {
  it('FAULT-1 every acknowledged push survives a kill -9 of the server (0 lost)', async () => {
    const port = await freePort();
    const { base, wsUrl } = await rig.start(port);
    const child = rig.child as Child;

    const acked = new Map<string, string[]>();
    let stop = false;
    const writers = Array.from({ length: USERS }, async (_, i) => {
      const user = `writer-${i}`;
      const { token, space } = await devToken(base, user);
      const ids: string[] = [];
      acked.set(space, ids);
      const session = await Session.open(wsUrl, token);
      while (!stop) {
        const id = randomUUID();
        const reply = await session.request('push', {
          space,
          changes: [{ id, blob: new Uint8Array(256).fill(i), expected_cursor: 0 }],
        });
        if (reply.error || reply.result?.ok !== true) break; // the server went away: not acknowledged
        ids.push(id);
      }
      session.close();
    });
    // Load until a few hundred writes are acknowledged, then crash the server mid-stream.
    await expect
      .poll(() => [...acked.values()].reduce((n, ids) => n + ids.length, 0), {
        timeout: 120_000,
        interval: 50,
      })
      .toBeGreaterThanOrEqual(200);
    child.process.kill('SIGKILL');
    await child.exited;
    stop = true;
    await Promise.all(writers);
    const total = [...acked.values()].reduce((n, ids) => n + ids.length, 0);

    await rig.start(port);
    let lost = 0;
    for (const [space, ids] of acked) {
      const user = `writer-${[...acked.keys()].indexOf(space)}`;
      const { token } = await devToken(base, user);
      const session = await Session.open(wsUrl, token);
      const stored = await pulledIds(session, space);
      lost += ids.filter((id) => !stored.has(id)).length;
      session.close();
    }
    expect({ acked: total, lost }).toEqual({ acked: total, lost: 0 });
    expect(total).toBeGreaterThanOrEqual(200);
  });
});
