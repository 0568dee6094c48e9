/**
 * An ordinary client over WebSocket (CBOR frames, subprotocol less-rpc-v1): auth frame first, then
 * pipelined requests. Unlike the cluster suite's session it keeps a call's chunks and returns error
 * replies instead of throwing, so tests can assert on the home server's error codes.
 */
import { decodeCbor, encodeNotification, encodeRequest, type WireObject } from '@less-sync/core';
import WebSocket from 'ws';

export type Frame = Record<string, unknown>;

export interface Reply {
  readonly result?: Frame;
  readonly error?: { readonly code: string; readonly message: string };
  readonly chunks: readonly { readonly name: string; readonly data: Frame }[];
}

export interface Client {
  readonly ws: WebSocket;
  readonly notifications: Frame[];
  readonly closed: Promise<number>;
  /** Sends a request; resolves with its reply, rejects when none comes within `timeoutMs`. */
  request(method: string, params: WireObject, timeoutMs?: number): Promise<Reply>;
  /** `request` that throws on an error reply and returns the result. */
  call(method: string, params: WireObject, timeoutMs?: number): Promise<Frame>;
  notify(method: string, params: WireObject): void;
  /** The first notification matching `pred`, already received or arriving within `timeoutMs`. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** The first notification matching `pred` that arrives after this call. */
  next(pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Notifications of `method` for `space` received so far. */
  count(method: string, space: string): number;
  close(): void;
}

export const params = (f: Frame): Frame => f.params as Frame;

export async function connect(url: string, token: string): Promise<Client> {
  const ws = new WebSocket(url, 'less-rpc-v1');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pending = new Map<string, { chunks: Reply['chunks'][number][]; done: (r: Reply) => void }>();
  const notifications: Frame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    const bytes = new Uint8Array(data as Buffer);
    if (bytes.length === 1 && bytes[0] === 0xf6) return;
    const frame = decodeCbor(bytes) as Frame;
    if (frame.type === 2) {
      notifications.push(frame);
      for (const w of [...waiters]) w();
    } else if (frame.type === 3) {
      pending.get(String(frame.id))?.chunks.push({ name: String(frame.name), data: frame.data as Frame });
    } else if (frame.type === 1) {
      const entry = pending.get(String(frame.id));
      if (entry === undefined) return;
      pending.delete(String(frame.id));
      entry.done({
        ...(frame.result === undefined ? {} : { result: frame.result as Frame }),
        ...(frame.error === undefined ? {} : { error: frame.error as Reply['error'] & object }),
        chunks: entry.chunks,
      });
    }
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.send(encodeNotification('auth', { token }));
  let seq = 0;
  const find = (from: number, pred: (f: Frame) => boolean, timeoutMs: number) =>
    new Promise<Frame>((resolve, reject) => {
      const listener = () => {
        const hit = notifications.slice(from).find(pred);
        if (hit === undefined) return;
        waiters.delete(listener);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(listener);
        reject(new Error(`notification not received; got ${notifications.map((n) => n.method).join(',')}`));
      }, timeoutMs);
      waiters.add(listener);
      listener();
    });
  const client: Client = {
    ws,
    notifications,
    closed,
    request(method, p, timeoutMs = 30_000) {
      const id = `c-${++seq}`;
      return new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`no reply to ${method} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          chunks: [],
          done: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
        ws.send(encodeRequest(id, method, p));
      });
    },
    async call(method, p, timeoutMs) {
      const reply = await client.request(method, p, timeoutMs);
      if (reply.error !== undefined)
        throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
      return reply.result ?? {};
    },
    notify(method, p) {
      ws.send(encodeNotification(method, p));
    },
    waitFor(pred, timeoutMs = 15_000) {
      return find(0, pred, timeoutMs);
    },
    next(pred, timeoutMs = 15_000) {
      return find(notifications.length, pred, timeoutMs);
    },
    count(method, space) {
      return notifications.filter((n) => n.method === method && params(n).space === space).length;
    },
    close: () => ws.close(),
  };
  return client;
}
