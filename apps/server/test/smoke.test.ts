import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCbor, encodeNotification, encodeRequest, type WireObject } from '@less-sync/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { APP_DIR, type Child, freePort, startChild } from './child.js';

/** A CBOR WebSocket session as the SDK runs it: auth notification first, then requests. */
async function session(url: string, token: string) {
  const ws = new WebSocket(url, 'less-rpc-v1');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const replies = new Map<string, (frame: Record<string, unknown>) => void>();
  const chunks = new Map<string, string[]>();
  const notifications: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => {
    const bytes = new Uint8Array(data as Buffer);
    if (bytes.length === 1 && bytes[0] === 0xf6) return;
    const frame = decodeCbor(bytes) as Record<string, unknown>;
    if (frame.type === 3) chunks.get(String(frame.id))?.push(String(frame.name));
    if (frame.type === 2) notifications.push(frame);
    if (frame.type === 1) replies.get(String(frame.id))?.(frame);
  });
  ws.send(encodeNotification('auth', { token }));
  let seq = 0;
  return {
    ws,
    notifications,
    async call(
      method: string,
      params: WireObject,
    ): Promise<{ result: Record<string, unknown>; chunks: string[] }> {
      const id = `rpc-${++seq}`;
      chunks.set(id, []);
      const frame = await new Promise<Record<string, unknown>>((resolve, reject) => {
        replies.set(id, resolve);
        setTimeout(() => reject(new Error(`no reply to ${method}`)), 15_000);
        ws.send(encodeRequest(id, method, params));
      });
      if (frame.error) throw new Error(`${method}: ${JSON.stringify(frame.error)}`);
      return { result: frame.result as Record<string, unknown>, chunks: chunks.get(id) ?? [] };
    },
    closed: new Promise<number>((resolve) => ws.on('close', (code) => resolve(code))),
  };
}

let dataDir: string;
let port: number;
let child: Child | undefined;

beforeAll(async () => {
  // `pnpm start` builds first; so do we (incremental when nothing changed).
  execFileSync(process.execPath, [join(APP_DIR, '../../node_modules/typescript/bin/tsc'), '-b'], {
    cwd: APP_DIR,
    stdio: 'pipe',
  });
  dataDir = await mkdtemp(join(tmpdir(), 'less-sync-smoke-'));
  port = await freePort();
}, 300_000);

/** A failed test must not leave its server running (it would hold the data directory). */
async function stopChild(): Promise<void> {
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
}

afterEach(stopChild);

afterAll(async () => {
  await stopChild();
  await rm(dataDir, { recursive: true, force: true });
});

describe('apps/server as a child process (embedded database, zero configuration)', () => {
  const env = () => ({ LISTEN_ADDR: `127.0.0.1:${port}`, LESS_SYNC_DATA_DIR: dataDir });
  const base = () => `http://127.0.0.1:${port}`;
  const record = randomUUID();
  const file = randomUUID();
  const dek = Buffer.alloc(44, 5);
  const content = Buffer.from('encrypted file bytes');
  let token = '';
  let space = '';

  it('BOOT-01 R23 starts, issues a development token, syncs over WebSocket and stores a file', async () => {
    child = startChild(env());
    await child.waitFor(/"msg":"server listening"/);
    expect(child.stdout).toMatch(/DEVELOPMENT ISSUER IS ON/);
    // Announced once, not also as a configuration warning.
    expect(child.stdout.match(/development issuer/gi)).toHaveLength(1);

    const minted = (await (await fetch(`${base()}/dev/token?user=alice`)).json()) as Record<string, string>;
    token = minted.token as string;
    space = minted.personal_space_id as string;
    const ws = await session(`ws://127.0.0.1:${port}/api/v1/ws`, token);
    expect(ws.ws.protocol).toBe('less-rpc-v1');
    await ws.call('subscribe', { spaces: [{ id: space, since: 0 }] });
    const pushed = await ws.call('push', {
      space,
      changes: [{ id: record, blob: new Uint8Array([9, 9, 9]), expected_cursor: 0, dek }],
    });
    expect(pushed.result.ok).toBe(true);
    const pulled = await ws.call('pull', { spaces: [{ id: space, since: 0 }] });
    expect(pulled.chunks).toEqual(['pull.begin', 'pull.record', 'pull.commit']);

    const put = await fetch(`${base()}/api/v1/spaces/${space}/files/${file}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Record-ID': record,
        'X-Wrapped-DEK': dek.toString('base64'),
      },
      body: content,
    });
    expect(put.status).toBe(201);
    const get = await fetch(`${base()}/api/v1/spaces/${space}/files/${file}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(Buffer.from(await get.arrayBuffer()).equals(content)).toBe(true);

    // R24: SIGTERM closes the socket with 1001 and the process exits 0.
    child.process.kill('SIGTERM');
    expect(await ws.closed).toBe(1001);
    expect((await child.exited).code).toBe(0);
    expect(child.stdout).toMatch(/"msg":"shutdown complete"/);
  });

  it('R24 R23 nothing is lost across the restart: pull and download again', async () => {
    child = startChild(env());
    await child.waitFor(/"msg":"server listening"/);
    // The development key is new on every start: get a new token for the same user (same space).
    const minted = (await (await fetch(`${base()}/dev/token?user=alice`)).json()) as Record<string, string>;
    expect(minted.personal_space_id).toBe(space);
    const ws = await session(`ws://127.0.0.1:${port}/api/v1/ws`, minted.token as string);
    const pulled = await ws.call('pull', { spaces: [{ id: space, since: 0 }] });
    expect(pulled.chunks).toEqual(['pull.begin', 'pull.record', 'pull.file', 'pull.commit']);
    const get = await fetch(`${base()}/api/v1/spaces/${space}/files/${file}`, {
      headers: { Authorization: `Bearer ${minted.token}` },
    });
    expect(Buffer.from(await get.arrayBuffer()).equals(content)).toBe(true);
    // The old token's key is gone with the old process.
    const stale = await fetch(`${base()}/api/v1/spaces/${space}/files/${file}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(stale.status).toBe(401);
    child.process.kill('SIGINT');
    expect((await child.exited).code).toBe(0);
  });
});

describe('BOOT-01 CONFIG-01 configuration errors in the real process', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ LISTEN_ADDR: 'localhost:5379' }, /^Error: invalid LISTEN_ADDR "localhost:5379"/],
    [{ LISTEN_ADDR: '127.0.0.1:0', DATABASE_URL: 'mysql://x' }, /^Error: invalid DATABASE_URL/],
    [
      { LISTEN_ADDR: '127.0.0.1:0', TRUSTED_ISSUERS: 'ftp://id.example' },
      /^Error: TRUSTED_ISSUERS: invalid issuer URL "ftp:\/\/id.example": must use http or https/,
    ],
    [
      { LISTEN_ADDR: '127.0.0.1:0', FILE_STORAGE_BACKEND: 'gcs' },
      /^Error: invalid FILE_STORAGE_BACKEND "gcs"/,
    ],
    [
      { LISTEN_ADDR: '127.0.0.1:0', FILE_STORAGE_BACKEND: 's3' },
      /^Error: FILE_S3_ENDPOINT is required when FILE_STORAGE_BACKEND=s3/,
    ],
    [{ LISTEN_ADDR: '127.0.0.1:0', IDENTITY_HASH_KEY: 'zz' }, /^Error: IDENTITY_HASH_KEY must be valid hex/],
    [
      { LISTEN_ADDR: '127.0.0.1:0', FEDERATION_MAX_SPACES: '0' },
      /^Error: FEDERATION_MAX_SPACES must be greater than zero/,
    ],
    [{ LISTEN_ADDR: '127.0.0.1:0', MAX_FILE_SIZE: 'big' }, /^Error: invalid MAX_FILE_SIZE/],
    [{ LISTEN_ADDR: '127.0.0.1:0', LOG_LEVEL: 'loud' }, /^Error: invalid LOG_LEVEL value "loud"/],
    [{ NODE_ENV: 'production' }, /^Error: TRUSTED_ISSUERS must be set/],
    [
      { LISTEN_ADDR: 'nope', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' },
      /^Error: 3 configuration errors:\n {2}- invalid LISTEN_ADDR[^\n]*\n {2}- invalid DATABASE_URL[^\n]*\n {2}- invalid LOG_LEVEL/,
    ],
  ];
  it.each(cases)('%j → its message and exit 1', async (env, message) => {
    const proc = startChild(env);
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.stderr).toMatch(message);
    expect(proc.stdout).not.toMatch(/server listening/);
  });
});
