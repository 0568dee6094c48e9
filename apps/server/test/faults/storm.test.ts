import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../child.js';
import {
  buildServer,
  type Child,
  createScratchDatabase,
  devToken,
  reap,
  Session,
  startChild,
  waitListening,
} from './support.js';

let child: Child | undefined;
let db: { url: string; drop(): void };
let dataDir: string;

beforeAll(async () => {
  buildServer();
  dataDir = await mkdtemp(join(tmpdir(), 'less-sync-fault-'));
  db = createScratchDatabase();
}, 300_000);

afterAll(async () => {
  await reap(child);
  db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

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
    const base = `http://127.0.0.1:${port}`;
    const wsUrl = `ws://127.0.0.1:${port}/api/v1/ws`;
    // Every client is on loopback: lift the per-address cap for this test.
    const env = {
      LISTEN_ADDR: `127.0.0.1:${port}`,
      LESS_SYNC_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      WS_MAX_CONNECTIONS_PER_IP: '5000',
    };
    child = startChild(env);
    await waitListening(child);
    const users = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => devToken(base, `storm-${i}`)));
    let sessions = await Promise.all(users.map((u) => connectWithRetry(wsUrl, u.token, u.space)));
    expect(sessions).toHaveLength(CLIENTS);

    // Restart: SIGTERM closes every socket with 1001; then all clients come back at once.
    const closes = sessions.map((s) => s.closed);
    child.process.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(new Set(await Promise.all(closes))).toEqual(new Set([1001]));
    child = startChild(env);
    await waitListening(child);
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
