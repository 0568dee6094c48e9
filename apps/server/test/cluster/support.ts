import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeCbor, encodeNotification, encodeRequest, type WireObject } from '@less-sync/core';
import WebSocket from 'ws';
import { APP_DIR, type Child, freePort, startChild } from '../child.js';

export type Frame = Record<string, unknown>;

/** A CBOR WebSocket session: auth first, then requests; notifications are collected. */
export async function session(url: string, token: string) {
  const ws = new WebSocket(url, 'less-rpc-v1');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const replies = new Map<string, (frame: Frame) => void>();
  const notifications: Frame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    const bytes = new Uint8Array(data as Buffer);
    if (bytes.length === 1 && bytes[0] === 0xf6) return;
    const frame = decodeCbor(bytes) as Frame;
    if (frame.type === 2) {
      notifications.push(frame);
      for (const w of waiters) w();
    }
    if (frame.type === 1) replies.get(String(frame.id))?.(frame);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.send(encodeNotification('auth', { token }));
  let seq = 0;
  return {
    ws,
    notifications,
    closed,
    async call(method: string, params: WireObject): Promise<Frame> {
      const id = `rpc-${++seq}`;
      const frame = await new Promise<Frame>((resolve, reject) => {
        replies.set(id, resolve);
        setTimeout(() => reject(new Error(`no reply to ${method}`)), 30_000).unref();
        ws.send(encodeRequest(id, method, params));
      });
      if (frame.error) throw new Error(`${method}: ${JSON.stringify(frame.error)}`);
      return frame.result as Frame;
    },
    notify(method: string, params: WireObject): void {
      ws.send(encodeNotification(method, params));
    },
    /** Resolves with the first notification matching `pred` (already received or arriving). */
    waitFor(pred: (f: Frame) => boolean, timeoutMs = 30_000): Promise<Frame> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = notifications.find(pred);
          if (hit === undefined) return false;
          waiters.delete(listener);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const listener = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(listener);
          reject(new Error(`notification not received; got ${notifications.map((n) => n.method).join(',')}`));
        }, timeoutMs);
        waiters.add(listener);
        check();
      });
    },
    close: () => ws.close(),
  };
}

export type Session = Awaited<ReturnType<typeof session>>;

export const params = (f: Frame) => f.params as Frame;

export interface Instance {
  readonly child: Child;
  readonly port: number;
  readonly base: string;
  readonly wsUrl: string;
  /** A development token from this instance; `did` binds the user's device key (for UCANs). */
  token(user: string, did?: string): Promise<{ token: string; space: string; mailbox: string }>;
}

export function buildServer(): void {
  execFileSync(process.execPath, [join(APP_DIR, '../../node_modules/typescript/bin/tsc'), '-b'], {
    cwd: APP_DIR,
    stdio: 'pipe',
  });
}

/** One real server process on a loopback port, on the shared database schema. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = startChild({ ...env, LISTEN_ADDR: `127.0.0.1:${port}`, LOG_LEVEL: 'info' });
  await child.waitFor(/"msg":"server listening"/, 120_000);
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    base,
    wsUrl: `ws://127.0.0.1:${port}/api/v1/ws`,
    async token(user, did) {
      const query = did === undefined ? '' : `&did=${encodeURIComponent(did)}`;
      const minted = (await (await fetch(`${base}/dev/token?user=${user}${query}`)).json()) as Record<
        string,
        string
      >;
      return {
        token: String(minted.token),
        space: String(minted.personal_space_id),
        mailbox: String(minted.mailbox_id),
      };
    },
  };
}

export async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (instance === undefined) return;
  const { child } = instance;
  if (child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
}
