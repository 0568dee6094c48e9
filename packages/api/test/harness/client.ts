import { decode, encode } from 'cborg';
import WebSocket from 'ws';

/** A frame as the SDK's cborg `decode` returns it. */
export type Frame = Record<string, unknown>;

export interface Chunk {
  readonly name: string;
  readonly data: Record<string, unknown>;
}

/** What came back for one request: its chunks (in order) and the response's result or error. */
export interface Reply {
  readonly id: string;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: string; message: string };
  readonly chunks: Chunk[];
}

export interface Notification {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface ConnectOptions {
  /** Subprotocols offered (default `less-rpc-v1`; the SDK offers `betterbase-rpc-v1`). */
  readonly protocols?: string | string[];
  /** Send `{type:2, method:"auth", params:{token}}` as soon as the socket opens (default: when a token is given). */
  readonly token?: string;
  /** Extra upgrade request headers (a federation peer's signature). */
  readonly headers?: Readonly<Record<string, string>>;
}

interface Pending {
  readonly chunks: Chunk[];
  resolve(reply: Reply): void;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A WebSocket client speaking exactly the SDK's shapes (js/src/sync/rpc-connection.ts): cborg-encoded maps,
 * the auth notification sent on open with no wait for an acknowledgement, requests pipelined right behind
 * it with ids `rpc-<n>-…`, chunks collected per request id, notifications queued, keepalives skipped.
 */
export class TestClient {
  readonly notifications: Notification[] = [];
  readonly closed: Promise<CloseInfo>;
  /** Raw binary frames received (keepalives included), for wire-level assertions. */
  readonly received: Uint8Array[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly waiters: Array<() => void> = [];
  private nextId = 0;
  private closeInfo: CloseInfo | undefined;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      });
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      this.onBinary(new Uint8Array(data as Buffer));
    });
    ws.on('error', () => {
      // Surfaces through `closed`.
    });
  }

  static async connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options.protocols ?? 'less-rpc-v1', { headers: { ...options.headers } });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
      );
      ws.once('error', reject);
    });
    if (options.token !== undefined) client.notify('auth', { token: options.token });
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get closeState(): CloseInfo | undefined {
    return this.closeInfo;
  }

  /** Encode with cborg exactly as the SDK does (undefined values become CBOR undefined). */
  send(frame: Frame): void {
    this.ws.send(encode(frame));
  }

  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  notify(method: string, params: unknown): void {
    this.send({ type: 2, method, params });
  }

  /** Send a request now (pipelined behind whatever was sent before) and resolve with its reply. */
  request(
    method: string,
    params: unknown,
    options: { id?: string; timeoutMs?: number } = {},
  ): Promise<Reply> {
    const id = options.id ?? `rpc-${++this.nextId}-${Date.now().toString(36)}`;
    const reply = new Promise<Reply>((resolve) => this.pending.set(id, { chunks: [], resolve }));
    this.send({ type: 0, method, id, params });
    return withTimeout(reply, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, `response to ${method}`);
  }

  /** Send an already-encoded request frame whose id is `id` and resolve with its reply. */
  requestBytes(id: string, frame: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Reply> {
    const reply = new Promise<Reply>((resolve) => this.pending.set(id, { chunks: [], resolve }));
    this.ws.send(frame, { binary: true });
    return withTimeout(reply, timeoutMs, `response to ${id}`);
  }

  /** A request expected to succeed: its result, or a thrown error naming the error frame. */
  async call(method: string, params: unknown): Promise<Record<string, unknown>> {
    const reply = await this.request(method, params);
    if (reply.error) throw new Error(`${method} failed: ${reply.error.code}: ${reply.error.message}`);
    return reply.result ?? {};
  }

  /** The next notification (optionally of one method), removed from the queue. */
  async nextNotification(method?: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Notification> {
    const take = (): Notification | undefined => {
      const index = this.notifications.findIndex((n) => method === undefined || n.method === method);
      return index < 0 ? undefined : this.notifications.splice(index, 1)[0];
    };
    const found = take();
    if (found) return found;
    return withTimeout(
      new Promise<Notification>((resolve, reject) => {
        const check = (): void => {
          const next = take();
          if (next) resolve(next);
          else if (this.closeInfo)
            reject(new Error(`connection closed (${this.closeInfo.code}) before ${method}`));
          else this.waiters.push(check);
        };
        check();
      }),
      timeoutMs,
      `notification ${method ?? '(any)'}`,
    );
  }

  /** Resolves when nothing matching arrived within `ms`; rejects with what did arrive. */
  async expectNoNotification(method?: string, ms = 300): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const hit = this.notifications.find((n) => method === undefined || n.method === method);
    if (hit) throw new Error(`unexpected notification ${hit.method}: ${JSON.stringify(hit.params)}`);
  }

  /** Resolves with the close the server sent (or the socket's end). */
  waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    return withTimeout(this.closed, timeoutMs, 'close');
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000, 'client close');
    await withTimeout(this.closed, DEFAULT_TIMEOUT_MS, 'close').catch(() => this.ws.terminate());
  }

  private onBinary(bytes: Uint8Array): void {
    this.received.push(bytes);
    if (bytes.length === 1 && bytes[0] === 0xf6) return;
    const frame = decode(bytes) as Frame;
    switch (frame.type) {
      case 1: {
        const id = String(frame.id);
        const pending = this.pending.get(id);
        if (!pending) return;
        this.pending.delete(id);
        pending.resolve({
          id,
          chunks: pending.chunks,
          ...(frame.result === undefined ? {} : { result: frame.result as Record<string, unknown> }),
          ...(frame.error === undefined ? {} : { error: frame.error as { code: string; message: string } }),
        });
        return;
      }
      case 2:
        this.notifications.push({
          method: String(frame.method),
          params: frame.params as Record<string, unknown>,
        });
        this.wake();
        return;
      case 3:
        this.pending.get(String(frame.id))?.chunks.push({
          name: String(frame.name),
          data: frame.data as Record<string, unknown>,
        });
        return;
      default:
        return;
    }
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
