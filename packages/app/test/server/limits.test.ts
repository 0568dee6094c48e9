import { connect } from 'node:net';
import { encodeNotification } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_LIMITS, loadConfig } from '../../src/index.js';
import { devToken, type ServerFixture, startServer } from './helpers.js';
import { WsClient } from './ws-client.js';

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function metric(name: string): Promise<string> {
  const text = await (await fetch(`${fixture?.url}/metrics`)).text();
  return text.split('\n').find((l) => l.startsWith(name)) ?? '';
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

async function openWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, 'less-rpc-v1');
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return ws;
}

describe('operator limits (issue item 10)', () => {
  it('CONFIG limits have defaults and are read from the environment', () => {
    expect(loadConfig({ LISTEN_ADDR: '127.0.0.1:0' }).limits).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS.authFrameMaxBytes).toBe(64 * 1024);
    const c = loadConfig({
      LISTEN_ADDR: '127.0.0.1:0',
      WS_AUTH_FRAME_MAX_BYTES: '1000',
      WS_MAX_CONNECTIONS_PER_IP: '5',
      WS_MAX_CONNECTIONS_PER_USER: '4',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '3000',
      UPLOAD_IDLE_TIMEOUT_MS: '0',
    }).limits;
    expect(c).toEqual({
      authFrameMaxBytes: 1000,
      maxConnectionsPerIp: 5,
      maxConnectionsPerUser: 4,
      httpHeadersTimeoutMs: 2000,
      httpRequestTimeoutMs: 3000,
      uploadIdleTimeoutMs: 0,
    });
    expect(() => loadConfig({ LISTEN_ADDR: '127.0.0.1:0', WS_MAX_CONNECTIONS_PER_IP: '0' })).toThrow(
      /WS_MAX_CONNECTIONS_PER_IP must be greater than zero/,
    );
  });

  it('WS_AUTH_FRAME_MAX_BYTES: a large first frame closes 1009 before any token parsing, and is counted', async () => {
    fixture = await startServer({ WS_AUTH_FRAME_MAX_BYTES: '2048' });
    const ws = await openWs(fixture.wsUrl);
    const closed = closeOf(ws);
    ws.send(encodeNotification('auth', { token: `eyJ${'A'.repeat(4096)}` }));
    expect(await closed).toEqual({ code: 1009, reason: 'auth frame too large' });
    expect(await metric('less_sync_limit_rejections_total{limit="WS_AUTH_FRAME_MAX_BYTES"}')).toMatch(/ 1$/);
  });

  it('WS_MAX_CONNECTIONS_PER_IP: over the cap the upgrade is 429; a closed socket frees its slot', async () => {
    fixture = await startServer({ WS_MAX_CONNECTIONS_PER_IP: '2' });
    const a = await openWs(fixture.wsUrl);
    await openWs(fixture.wsUrl);
    await expect(openWs(fixture.wsUrl)).rejects.toThrow('HTTP 429');
    expect(await metric('less_sync_limit_rejections_total{limit="WS_MAX_CONNECTIONS_PER_IP"}')).toMatch(
      / 1$/,
    );
    const closed = closeOf(a);
    a.close();
    await closed;
    await expect
      .poll(async () =>
        openWs(fixture?.wsUrl as string).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
  });

  it('WS_MAX_CONNECTIONS_PER_USER: over the cap the connection closes 4003; another user is unaffected', async () => {
    fixture = await startServer({ WS_MAX_CONNECTIONS_PER_USER: '2' });
    const alice = await devToken(fixture.url, 'alice');
    const bob = await devToken(fixture.url, 'bob');
    const a1 = await WsClient.connect(fixture.wsUrl, alice.token);
    const a2 = await WsClient.connect(fixture.wsUrl, alice.token);
    expect((await a1.request('invitation.list', {})).result).toBeDefined();
    expect((await a2.request('invitation.list', {})).result).toBeDefined();
    const a3 = await WsClient.connect(fixture.wsUrl, alice.token);
    expect(await a3.closed).toEqual({ code: 4003, reason: 'too many connections' });
    const b1 = await WsClient.connect(fixture.wsUrl, bob.token);
    expect((await b1.request('invitation.list', {})).result).toBeDefined();
    expect(await metric('less_sync_limit_rejections_total{limit="WS_MAX_CONNECTIONS_PER_USER"}')).toMatch(
      / 1$/,
    );
    a1.close();
    await a1.closed;
    // The client sees its close before the server has released the slot: retry until it is free.
    await expect
      .poll(
        async () => {
          const a4 = await WsClient.connect(fixture?.wsUrl as string, alice.token);
          const reply = await a4.request('invitation.list', {}, 2_000).catch(() => undefined);
          a4.close();
          await a4.closed;
          return reply?.result !== undefined;
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);
  });

  it('HTTP_HEADERS_TIMEOUT_MS: a client that never finishes its headers gets 408 and is disconnected', async () => {
    fixture = await startServer({ HTTP_HEADERS_TIMEOUT_MS: '500' });
    const { hostname, port } = new URL(fixture.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'),
      );
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('UPLOAD_IDLE_TIMEOUT_MS: a stalled upload is cut off with 408 and stores nothing', async () => {
    fixture = await startServer({ UPLOAD_IDLE_TIMEOUT_MS: '500' });
    const alice = await devToken(fixture.url, 'alice');
    const ws = await WsClient.connect(fixture.wsUrl, alice.token);
    const record = crypto.randomUUID();
    const space = String(alice.personal_space_id);
    const pushed = await ws.request('push', {
      space,
      changes: [{ id: record, blob: new Uint8Array([1]), expected_cursor: 0 }],
    });
    expect(pushed.result).toMatchObject({ ok: true });
    const file = crypto.randomUUID();
    const { hostname, port } = new URL(fixture.url);
    const head =
      `PUT /api/v1/spaces/${space}/files/${file} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\n` +
      `X-Record-ID: ${record}\r\nX-Wrapped-DEK: ${Buffer.alloc(44, 1).toString('base64')}\r\n` +
      'Content-Length: 1000\r\n\r\n';
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(`${head}${'x'.repeat(10)}`));
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
        if (data.includes('\r\n\r\n')) socket.destroy();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    const get = await fetch(`${fixture.url}/api/v1/spaces/${space}/files/${file}`, {
      headers: { Authorization: `Bearer ${alice.token}` },
    });
    expect(get.status).toBe(404);
    expect(await metric('less_sync_limit_rejections_total{limit="UPLOAD_IDLE_TIMEOUT_MS"}')).toMatch(/ 1$/);
  });
});
