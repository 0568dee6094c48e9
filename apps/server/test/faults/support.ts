import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCbor, encodeNotification, encodeRequest, type WireObject } from '@less-sync/core';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { APP_DIR, type Child, startChild } from '../child.js';

/** Build the server as `pnpm start` would (incremental when nothing changed). */
export function buildServer(): void {
  execFileSync(process.execPath, [join(APP_DIR, '../../node_modules/typescript/bin/tsc'), '-b'], {
    cwd: APP_DIR,
    stdio: 'pipe',
  });
}

/** Admin connection settings of the shared test server (TEST_DATABASE_URL), for createdb/dropdb. */
function adminArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
}

/** A fresh database on the TEST_DATABASE_URL server; `drop` removes it. */
export function createScratchDatabase(): { url: string; drop(): void } {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `less_sync_fault_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  execFileSync('createdb', [...adminArgs(base), name], { stdio: 'pipe' });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop() {
      spawnSync('dropdb', [...adminArgs(base), '--if-exists', '--force', name], { stdio: 'pipe' });
    },
  };
}

export async function waitListening(child: Child): Promise<void> {
  await child.waitFor(/"msg":"server listening"/, 120_000);
}

/** Kill a child that is still running and wait for it. */
export async function reap(child: Child | undefined): Promise<void> {
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
}

export async function devToken(base: string, user: string): Promise<{ token: string; space: string }> {
  const res = await fetch(`${base}/dev/token?user=${encodeURIComponent(user)}`);
  if (res.status !== 200) throw new Error(`dev token: HTTP ${res.status}`);
  const body = (await res.json()) as Record<string, string>;
  return { token: String(body.token), space: String(body.personal_space_id) };
}

export interface Reply {
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
  chunks: Array<{ name: string; data: Record<string, unknown> }>;
}

/** A CBOR WebSocket session as the SDK runs it: auth notification first, then requests. */
export class Session {
  readonly closed: Promise<number>;
  private readonly pending = new Map<string, { reply: Reply; resolve(r: Reply): void }>();
  private seq = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.on('close', () => {
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.resolve({ ...p.reply, error: { code: 'closed', message: 'connection closed' } });
      }
    });
    ws.on('message', (data) => {
      const bytes = new Uint8Array(data as Buffer);
      if (bytes.length === 1 && bytes[0] === 0xf6) return;
      const frame = decodeCbor(bytes) as Record<string, unknown>;
      const p = this.pending.get(String(frame.id));
      if (p === undefined) return;
      if (frame.type === 3)
        p.reply.chunks.push({ name: String(frame.name), data: frame.data as Record<string, unknown> });
      if (frame.type !== 1) return;
      this.pending.delete(String(frame.id));
      if (frame.result !== undefined) p.reply.result = frame.result as Record<string, unknown>;
      if (frame.error !== undefined) p.reply.error = frame.error as { code: string; message: string };
      p.resolve(p.reply);
    });
  }

  static async open(url: string, token: string, timeoutMs = 60_000): Promise<Session> {
    const ws = new WebSocket(url, 'less-rpc-v1');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timeout')), timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    ws.send(encodeNotification('auth', { token }));
    return new Session(ws);
  }

  request(method: string, params: WireObject, timeoutMs = 60_000): Promise<Reply> {
    const id = `r${++this.seq}`;
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ chunks: [], error: { code: 'timeout', message: `no reply to ${method}` } });
      }, timeoutMs);
      this.pending.set(id, {
        reply: { chunks: [] },
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      if (this.ws.readyState !== WebSocket.OPEN) {
        this.pending.get(id)?.resolve({ chunks: [], error: { code: 'closed', message: 'not open' } });
        this.pending.delete(id);
        return;
      }
      this.ws.send(encodeRequest(id, method, params));
    });
  }

  close(): void {
    this.ws.close(1000);
  }
}

/** Every record id a full pull of `space` returns. */
export async function pulledIds(session: Session, space: string): Promise<Set<string>> {
  const reply = await session.request('pull', { spaces: [{ id: space, since: 0 }] }, 120_000);
  if (reply.error) throw new Error(`pull: ${reply.error.code} ${reply.error.message}`);
  const ids = new Set<string>();
  for (const c of reply.chunks) if (c.name === 'pull.record') ids.add(String(c.data.id));
  return ids;
}

/** Where a started server answers. */
export interface Endpoints {
  readonly base: string;
  readonly wsUrl: string;
}

/** One fault file's scratch state: a data directory, a database (unless the file brings its own), a server. */
export interface FaultRig {
  readonly dataDir: string;
  /** The server started last (still running or not). */
  readonly child: Child | undefined;
  /** Start a server on `port` with the rig's data directory and database plus `extra`; reaps the previous one. */
  start(port: number, extra?: Record<string, string>): Promise<Endpoints>;
}

/**
 * Registers the file's beforeAll/afterAll: builds the server, makes a data directory and (by default) a
 * scratch database, and removes all of it, the last server included, after the file.
 */
export function useFaultRig(options: { scratchDatabase?: boolean } = {}): FaultRig {
  let dataDir = '';
  let db: { url: string; drop(): void } | undefined;
  let child: Child | undefined;
  beforeAll(async () => {
    buildServer();
    dataDir = await mkdtemp(join(tmpdir(), 'less-sync-fault-'));
    if (options.scratchDatabase !== false) db = createScratchDatabase();
  }, 300_000);
  afterAll(async () => {
    await reap(child);
    db?.drop();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });
  return {
    get dataDir() {
      return dataDir;
    },
    get child() {
      return child;
    },
    async start(port, extra = {}) {
      await reap(child);
      child = startChild({
        LISTEN_ADDR: `127.0.0.1:${port}`,
        LESS_SYNC_DATA_DIR: dataDir,
        ...(db ? { DATABASE_URL: db.url } : {}),
        ...extra,
      });
      await waitListening(child);
      return { base: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/api/v1/ws` };
    },
  };
}

export { type Child, startChild };
