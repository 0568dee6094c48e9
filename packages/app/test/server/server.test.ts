import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, loadConfig } from '../../src/index.js';
import { devToken, type ServerFixture, serverEnv, startServer } from './helpers.js';
import { WsClient } from './ws-client.js';

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const DEK = Buffer.alloc(44, 7);

/** One raw HTTP/1.1 exchange, so header sizes and framing are exactly what we send. */
function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(text));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('zero-config development issuer (issue item 8)', () => {
  it('RPC-INV-1 two development users can invite each other: dev mailbox ids are 64 hex', async () => {
    fixture = await startServer();
    const alice = await devToken(fixture.url, 'alice');
    const bob = await devToken(fixture.url, 'bob');
    expect(bob.mailbox_id).toMatch(/^[0-9a-f]{64}$/);
    const a = await WsClient.connect(fixture.wsUrl, alice.token);
    const b = await WsClient.connect(fixture.wsUrl, bob.token);
    expect(
      await a.call('invitation.create', { mailbox_id: String(bob.mailbox_id), payload: 'hi bob' }),
    ).toMatchObject({
      payload: 'hi bob',
    });
    expect(
      await b.call('invitation.create', { mailbox_id: String(alice.mailbox_id), payload: 'hi alice' }),
    ).toMatchObject({
      payload: 'hi alice',
    });
    expect(await b.call('invitation.list', {})).toMatchObject({ invitations: [{ payload: 'hi bob' }] });
    a.close();
    b.close();
  });
});

describe('BOOT-02 startup', () => {
  it('BOOT-02 R23 migrates, listens on LISTEN_ADDR and answers /health over a real socket', async () => {
    fixture = await startServer();
    expect(fixture.server.address?.host).toBe('127.0.0.1');
    const res = await fetch(`${fixture.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"status":"healthy"}');
    expect(res.headers.get('x-protocol-version')).toBe('1');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('HTTP-13 R1 the WebSocket route refuses a missing or wrong subprotocol with 400 and the common headers', async () => {
    fixture = await startServer();
    const reply = await rawExchange(
      fixture.url,
      'GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: chat\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(reply.toLowerCase()).toContain('x-protocol-version: 1');
    expect(reply).toMatch(
      /\r\n\r\nunsupported WebSocket subprotocol: offer one of less-rpc-v1, betterbase-rpc-v1/,
    );
  });

  it('HTTP-13 the federation WebSocket route: wrong subprotocol 400, federation off 404 (empty)', async () => {
    fixture = await startServer();
    const upgrade = (protocol: string) =>
      rawExchange(
        fixture?.url as string,
        'GET /api/v1/federation/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      );
    const bad = await upgrade('chat');
    expect(bad).toMatch(/^HTTP\/1\.1 400/);
    expect(bad).toContain('offer one of less-rpc-v1, betterbase-rpc-v1');
    const notFound = await upgrade('less-rpc-v1');
    expect(notFound).toMatch(/^HTTP\/1\.1 404/);
    expect(notFound).toContain('Content-Length: 0');
  });

  it('HTTP-01 an upgrade request for any other path is answered like a plain request', async () => {
    fixture = await startServer();
    const reply = await rawExchange(
      fixture.url,
      'GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toContain('{"status":"healthy"}');
    const denied = await rawExchange(
      fixture.url,
      'GET /api/v1/other HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n',
    );
    expect(denied).toMatch(/^HTTP\/1\.1 404/);
    const closed = await rawExchange(
      fixture.url,
      'GET /api/v1/federation/trusted HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n',
    );
    expect(closed).toMatch(/^HTTP\/1\.1 401/);
  });

  it('HTTP-01 an unknown path is 404 over a real socket, without a token, with the request id echoed', async () => {
    fixture = await startServer();
    const res = await fetch(`${fixture.url}/no/such/path`, { headers: { 'X-Request-Id': 'probe-1' } });
    expect([res.status, await res.text()]).toEqual([404, '']);
    expect(res.headers.get('x-request-id')).toBe('probe-1');
  });

  it('R15 HTTP-07 a 64 KiB X-UCAN reaches the app over a real socket (no 431), one byte more is 401', async () => {
    fixture = await startServer();
    const { token } = await devToken(fixture.url, 'alice');
    const send = (size: number) =>
      fetch(`${fixture?.url}/api/v1/federation/trusted`, {
        headers: { Authorization: `Bearer ${token}`, 'X-UCAN': 'a'.repeat(size) },
      });
    expect((await send(65_536)).status).toBe(404);
    const over = await send(65_537);
    expect([over.status, await over.json()]).toEqual([401, { error: 'X-UCAN header too large' }]);
  });

  it('HTTP-09 /health turns 503 once the database is gone', async () => {
    fixture = await startServer();
    const server = fixture.server;
    // Close only the stores' database through the app's own shutdown, then ask in-process.
    await server.close();
    const res = await server.app.request('/health');
    expect([res.status, await res.text()]).toEqual([
      503,
      '{"status":"unhealthy","error":"database unavailable"}',
    ]);
  });
});

describe('development issuer, WebSocket and files end to end', () => {
  it('a development token authenticates the WebSocket: push, pull, upload, download, file notification', async () => {
    fixture = await startServer();
    const alice = await devToken(fixture.url, 'alice');
    const space = alice.personal_space_id as string;
    const client = await WsClient.connect(fixture.wsUrl, alice.token);
    await client.call('subscribe', { spaces: [{ id: space, since: 0 }] });
    const record = randomUUID();
    const pushed = await client.call('push', {
      space,
      changes: [{ id: record, blob: new Uint8Array([1, 2, 3]), expected_cursor: 0, dek: DEK }],
    });
    expect(pushed.ok).toBe(true);
    const pull = await client.request('pull', { spaces: [{ id: space, since: 0 }] });
    expect(pull.chunks.map((c) => c.name)).toEqual(['pull.begin', 'pull.record', 'pull.commit']);

    const file = randomUUID();
    const put = await fetch(`${fixture.url}/api/v1/spaces/${space}/files/${file}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${alice.token}`,
        'X-Record-ID': record,
        'X-Wrapped-DEK': DEK.toString('base64'),
        'Content-Type': 'application/octet-stream',
      },
      body: Buffer.from('file bytes'),
    });
    expect(put.status).toBe(201);
    const notice = await client.notification('file');
    expect(notice.space).toBe(space);
    const get = await fetch(`${fixture.url}/api/v1/spaces/${space}/files/${file}`, {
      headers: { Authorization: `Bearer ${alice.token}` },
    });
    expect([get.status, await get.text()]).toEqual([200, 'file bytes']);
    const head = await fetch(`${fixture.url}/api/v1/spaces/${space}/files/${file}`, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${alice.token}` },
    });
    expect([head.status, head.headers.get('content-length'), head.headers.get('etag')]).toEqual([
      200,
      '10',
      `"${file}"`,
    ]);

    const metrics = await (await fetch(`${fixture.url}/metrics`)).text();
    expect(metrics).toMatch(/less_sync_connections\{kind="client"\} 1/);
    expect(metrics).toMatch(/less_sync_rpc_requests_total\{method="push",code="ok"\} 1/);
    expect(metrics).toMatch(/less_sync_push_records_total 1/);
    expect(metrics).toMatch(/less_sync_pull_records_total 1/);
    expect(metrics).toMatch(/less_sync_fanout_deliveries_total [1-9]/);
    expect(metrics).toMatch(
      /less_sync_http_requests_total\{route="\/api\/v1\/spaces\/:space_id\/files\/:id",method="PUT",status="201"\} 1/,
    );
    client.close();
    await client.closed;
  });

  it('R24 shutdown closes WebSockets with 1001 and lets an in-flight upload finish', async () => {
    fixture = await startServer();
    const alice = await devToken(fixture.url, 'alice');
    const space = alice.personal_space_id as string;
    const client = await WsClient.connect(fixture.wsUrl, alice.token);
    const record = randomUUID();
    await client.call('push', {
      space,
      changes: [{ id: record, blob: new Uint8Array([1]), expected_cursor: 0 }],
    });

    // Start an upload, send half the body, begin shutdown, then send the rest.
    const { port } = new URL(fixture.url);
    const body = Buffer.alloc(200_000, 3);
    const file = randomUUID();
    const status = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'PUT',
          path: `/api/v1/spaces/${space}/files/${file}`,
          headers: {
            Authorization: `Bearer ${alice.token}`,
            'X-Record-ID': record,
            'X-Wrapped-DEK': DEK.toString('base64'),
            'Content-Length': String(body.length),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 100_000));
      setTimeout(() => req.end(body.subarray(100_000)), 300);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = fixture.server.close();
    const closeInfo = await client.closed;
    expect(closeInfo.code).toBe(1001);
    expect(await status).toBe(201);
    await closing;
    await expect(fetch(`${fixture.url}/health`)).rejects.toThrow();
  });

  it('R24 an in-flight request that outlives the shutdown deadline is cut off; close still resolves', async () => {
    fixture = await startServer({ SHUTDOWN_TIMEOUT_MS: '300' });
    const alice = await devToken(fixture.url, 'alice');
    const space = alice.personal_space_id as string;
    const client = await WsClient.connect(fixture.wsUrl, alice.token);
    const record = randomUUID();
    await client.call('push', {
      space,
      changes: [{ id: record, blob: new Uint8Array([1]), expected_cursor: 0 }],
    });
    const { port } = new URL(fixture.url);
    const outcome = new Promise<string>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: Number(port),
        method: 'PUT',
        path: `/api/v1/spaces/${space}/files/${randomUUID()}`,
        headers: {
          Authorization: `Bearer ${alice.token}`,
          'X-Record-ID': record,
          'X-Wrapped-DEK': DEK.toString('base64'),
          'Content-Length': '1000',
        },
      });
      req.on('response', (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error) => resolve(`error ${(error as NodeJS.ErrnoException).code}`));
      req.write(Buffer.alloc(10)); // and never the rest
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await fixture.server.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await outcome).toMatch(/^error /);
    expect(await client.closed).toMatchObject({ code: 1001 });
  });

  it('the development token route validates its parameters', async () => {
    fixture = await startServer();
    const bad = await fetch(`${fixture.url}/dev/token?user=${encodeURIComponent('a b')}`);
    expect(bad.status).toBe(400);
    const jwks = (await (await fetch(`${fixture.url}/dev/jwks.json`)).json()) as {
      keys: Array<{ alg: string }>;
    };
    expect(jwks.keys[0]?.alg).toBe('ES256');
  });
});

describe('BOOT-02 options', () => {
  it('BOOT-02 MIGRATE_ON_START=false refuses an unmigrated database, and starts on a migrated one', async () => {
    const { env, db, dir } = await serverEnv({ MIGRATE_ON_START: 'false' });
    const logger = pino({ level: 'silent' });
    try {
      await expect(createServer(loadConfig(env), { logger, processMetrics: false })).rejects.toThrow(
        /schema is not current .*pnpm migrate up/,
      );
      const migrated = await createServer(loadConfig({ ...env, MIGRATE_ON_START: 'true' }), {
        logger,
        processMetrics: false,
      });
      await migrated.close();
      const again = await createServer(loadConfig(env), { logger, processMetrics: false });
      expect((await again.app.request('/health')).status).toBe(200);
      await again.close();
    } finally {
      await db?.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
