import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeCbor, encodeCbor, type WireObject, type WireValue } from '@less-sync/core';
import { WebSocket } from 'ws';
import {
  AuthRejectedError,
  type AuthRejectionKind,
  type ConnectionIdentity,
  createHandlerTable,
  type HandlerTable,
  InMemoryBroker,
  PresenceRegistry,
  RealtimeEndpoint,
  type RealtimeEndpointOptions,
} from '../../src/index.js';

/** The identity a stub authenticator hands out (mirrors the reference's StubValidator, rpc.md §17). */
export interface TestIdentity extends ConnectionIdentity {
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly token: string;
}

export const VALID_TOKEN = 'valid-token';
export const MAILBOX = 'a'.repeat(64);

/**
 * Tokens the stub understands: `valid-token`; `mailbox:<id>`; `expires-in:<ms>`; `reject:<kind>`;
 * `throw` (a non-auth failure); `slow:<ms>` (answers after a delay). Anything else is an invalid token.
 */
export async function stubAuthenticate(token: string): Promise<TestIdentity> {
  const base = { userId: 'user-1', clientId: 'client-1', scope: 'sync', token, mailboxId: MAILBOX };
  if (token === VALID_TOKEN) return base;
  const [kind, arg = ''] = token.split(/:(.*)/s, 2) as [string, string?];
  switch (kind) {
    case 'mailbox':
      return { ...base, mailboxId: arg };
    case 'expires-in':
      return { ...base, expiresAt: Date.now() + Number(arg) };
    case 'reject':
      throw new AuthRejectedError(arg as AuthRejectionKind);
    case 'throw':
      throw new Error('validator exploded');
    case 'slow':
      await new Promise((r) => setTimeout(r, Number(arg)));
      return base;
    default:
      throw new AuthRejectedError('invalid_token');
  }
}

export interface Harness {
  readonly url: string;
  readonly server: Server;
  readonly endpoint: RealtimeEndpoint<TestIdentity>;
  readonly broker: InMemoryBroker;
  readonly presence: PresenceRegistry;
  close(): Promise<void>;
}

export type HarnessOptions = Partial<Omit<RealtimeEndpointOptions<TestIdentity>, 'handlers'>> & {
  handlers?: HandlerTable<TestIdentity>;
  brokerLimit?: number;
};

/** An http.Server on 127.0.0.1 (ephemeral port) with the endpoint on its `upgrade` event. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const broker =
    (options.broker as InMemoryBroker | undefined) ??
    new InMemoryBroker({ maxConnectionsPerMailbox: options.brokerLimit ?? 3 });
  const presence = options.presence ?? new PresenceRegistry();
  const endpoint = new RealtimeEndpoint<TestIdentity>({
    authenticate: stubAuthenticate,
    ...options,
    handlers: options.handlers ?? createHandlerTable({}),
    broker,
    presence,
  });
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  server.on('upgrade', (req, socket, head) => endpoint.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/api/v1/ws`,
    server,
    endpoint,
    broker,
    presence,
    async close() {
      await endpoint.shutdown({ graceMs: 500 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** A `ws` client that records every message and the close. */
export class TestClient {
  readonly messages: Uint8Array[] = [];
  readonly closed: Promise<CloseInfo>;
  private waiters: Array<() => void> = [];
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      this.messages.push(new Uint8Array(data));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  static async connect(url: string, protocols: string | string[] = 'less-rpc-v1'): Promise<TestClient> {
    const ws = new WebSocket(url, protocols);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return client;
  }

  /** Connect and send the auth frame (optionally followed by pipelined frames, as the SDK does). */
  static async authed(url: string, token = VALID_TOKEN): Promise<TestClient> {
    const client = await TestClient.connect(url);
    client.auth(token);
    return client;
  }

  send(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  sendValue(value: WireValue): void {
    this.ws.send(encodeCbor(value));
  }

  auth(token = VALID_TOKEN): void {
    this.sendValue({ type: 2, method: 'auth', params: { token } });
  }

  request(id: string, method: string, params?: WireValue): void {
    this.sendValue(params === undefined ? { type: 0, id, method } : { type: 0, id, method, params });
  }

  notify(method: string, params: WireValue): void {
    this.sendValue({ type: 2, method, params });
  }

  /** Next message that is not the 0xF6 keepalive, raw. */
  async nextRaw(timeoutMs = 2000, { skipKeepalive = true } = {}): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.messages.length) {
        const m = this.messages[this.cursor++]!;
        if (!(skipKeepalive && m.length === 1 && m[0] === 0xf6)) return m;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) throw new Error('no frame arrived');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async next(timeoutMs = 2000): Promise<WireObject> {
    return decodeCbor(await this.nextRaw(timeoutMs)) as WireObject;
  }

  /** Resolves true when no (non-keepalive) frame arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    try {
      await this.nextRaw(ms);
      return false;
    } catch {
      return true;
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Poll until `check` holds (for server-side state a socket event does not announce). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
