import { describe, expect, it } from 'vitest';
import { freePort } from '../child.js';
import { type Child, devToken, Session, useFaultRig } from './support.js';

const rig = useFaultRig();

const CLIENTS = 1_000;

/** Open, authenticate and subscribe, retrying a refused or dropped attempt a bounded number of times. */
async function connectWithRetry(wsUrl: string, token: string, space: string): Promise<Session> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const session = await Session.open(wsUrl, token, 60_000);
      const reply = await session.request('subscribe', { spaces: [{ id: space, since: 0 }] }, 120_000);
      if (reply.error === undefined) return session;
      lastError = new Error(`${reply.error.code}: ${reply.error.message}`);
      session.close();
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 400 * (attempt + 1)));
  }
  throw lastError;
}

describe('fault: reconnect storm', () => {
  it('FAULT-3 1,000 clients reconnect at once after a restart; all are served and the server stays healthy', async () => {
    const port = await freePort();
    // Every client is on loopback: lift the per-address cap for this test.
    const env = { WS_MAX_CONNECTIONS_PER_IP: '5000' };
    const { base, wsUrl } = await rig.start(port, env);
    const child = rig.child as Child;
    const users = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => devToken(base, `storm-${i}`)));
    let sessions = await Promise.all(users.map((u) => connectWithRetry(wsUrl, u.token, u.space)));
    expect(sessions).toHaveLength(CLIENTS);

    // Restart: SIGTERM closes every socket with 1001; then all clients come back at once.
    const closes = sessions.map((s) => s.closed);
    child.process.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(new Set(await Promise.all(closes))).toEqual(new Set([1001]));
    await rig.start(port, env);
    // The development key changes on restart: fresh tokens, same users and spaces.
    const again = await Promise.all(users.map((_, i) => devToken(base, `storm-${i}`)));
    sessions = await Promise.all(again.map((u) => connectWithRetry(wsUrl, u.token, u.space)));
    expect(sessions).toHaveLength(CLIENTS);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`less_sync_connections\\{kind="client"\\} ${CLIENTS}\\b`));
    for (const s of sessions) s.close();
  });
});
