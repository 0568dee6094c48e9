import { rm } from 'node:fs/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type LessSyncServer, loadConfig } from '../../src/index.js';
import { devToken, serverEnv } from './helpers.js';
import { WsClient } from './ws-client.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function start(): Promise<{
  server: LessSyncServer;
  url: string;
  lines: Array<Record<string, unknown>>;
}> {
  const { env, dir, db } = await serverEnv();
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    { write: (msg: string) => void lines.push(JSON.parse(msg) as Record<string, unknown>) },
  );
  const server = await createServer(loadConfig(env), { logger, processMetrics: false });
  const { url } = await server.listen();
  cleanup = async () => {
    await server.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  };
  return { server, url, lines };
}

async function waitFor<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for a log line');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('HTTP-16 access log over a real server', () => {
  it('HTTP-16 one info line per HTTP request, with the caller request id and a user pseudonym', async () => {
    const { url, lines } = await start();
    const alice = await devToken(url, 'alice');
    await fetch(`${url}/api/v1/federation/trusted`, {
      headers: { Authorization: `Bearer ${alice.token}`, 'X-Request-Id': 'trace-42' },
    });
    const line = await waitFor(() => lines.find((l) => l.req_id === 'trace-42' && l.msg === 'request'));
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      path: '/api/v1/federation/trusted',
      status: 404,
      user: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(typeof line.ms).toBe('number');
    // The pseudonym never is the subject itself.
    expect(JSON.stringify(line)).not.toContain('alice');
  });

  it('HTTP-16 one info line when a WebSocket session ends, with the same pseudonym as HTTP', async () => {
    const { url, lines } = await start();
    const alice = await devToken(url, 'alice');
    await fetch(`${url}/api/v1/federation/trusted`, {
      headers: { Authorization: `Bearer ${alice.token}`, 'X-Request-Id': 'h-1' },
    });
    const client = await WsClient.connect(`${url.replace('http://', 'ws://')}/api/v1/ws`, alice.token);
    await client.call('subscribe', { spaces: [] });
    client.close();
    const ended = await waitFor(() => lines.find((l) => l.msg === 'websocket session ended'));
    const http = lines.find((l) => l.req_id === 'h-1');
    expect(ended).toMatchObject({ level: 30, method: 'GET', path: '/api/v1/ws', status: 101 });
    expect(typeof ended.req_id).toBe('string');
    expect(typeof ended.ms).toBe('number');
    expect(ended.user).toBe(http?.user);
    expect(lines.filter((l) => l.msg === 'websocket session ended')).toHaveLength(1);
  });
});
