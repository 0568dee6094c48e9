import {
  decodeCbor,
  encodeNotification,
  encodeRequest,
  type WireObject,
  type WireValue,
} from '@less-sync/core';
import WebSocket from 'ws';

export interface Reply {
  readonly result?: Record<string, unknown>;
  readonly error?: { code: string; message: string };
  readonly chunks: Array<{ name: string; data: Record<string, unknown> }>;
}

/**
 * A minimal CBOR WebSocket client with the SDK's flow: subprotocol `less-rpc-v1`, the auth notification
 * right after open, then pipelined requests; chunks are collected per request id.
 */
export class WsClient {
  readonly notifications: Array<{ method: string; params: Record<string, unknown> }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly pending = new Map<string, { chunks: Reply['chunks']; resolve(r: Reply): void }>();
  private seq = 0;
  private readonly listeners: Array<() => void> = [];

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const bytes = new Uint8Array(data as Buffer);
      if (bytes.length === 1 && bytes[0] === 0xf6) return;
      const frame = decodeCbor(bytes) as Record<string, unknown>;
      if (frame.type === 1) {
        const p = this.pending.get(String(frame.id));
        this.pending.delete(String(frame.id));
        p?.resolve({
          chunks: p.chunks,
          ...(frame.result === undefined ? {} : { result: frame.result as Record<string, unknown> }),
          ...(frame.error === undefined ? {} : { error: frame.error as { code: string; message: string } }),
        });
      } else if (frame.type === 3) {
        this.pending
          .get(String(frame.id))
          ?.chunks.push({ name: String(frame.name), data: frame.data as Record<string, unknown> });
      } else if (frame.type === 2) {
        this.notifications.push({
          method: String(frame.method),
          params: frame.params as Record<string, unknown>,
        });
        for (const l of this.listeners.splice(0)) l();
      }
    });
  }

  static async connect(url: string, token: string | undefined, protocol = 'less-rpc-v1'): Promise<WsClient> {
    const ws = new WebSocket(url, protocol);
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    if (token !== undefined) ws.send(encodeNotification('auth', { token }));
    return client;
  }

  request(method: string, params: WireObject, timeoutMs = 10_000): Promise<Reply> {
    const id = `rpc-${++this.seq}`;
    const reply = new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${method}`)), timeoutMs);
      this.pending.set(id, {
        chunks: [],
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
    this.ws.send(encodeRequest(id, method, params));
    return reply;
  }

  async call(method: string, params: WireObject): Promise<Record<string, unknown>> {
    const reply = await this.request(method, params);
    if (reply.error) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`);
    return reply.result ?? {};
  }

  async notification(method: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.notifications.findIndex((n) => n.method === method);
      if (i >= 0) return (this.notifications.splice(i, 1)[0] as { params: Record<string, unknown> }).params;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${method} notification`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close(1000);
  }
}

export type { WireValue };
