import {
  decodeCbor,
  encodeNotification,
  encodeRequest,
  type FrameBody,
  FrameHeadCodec,
  FrameType,
  isKeepalive,
  isWireObject,
  type WireValue,
  WS_SUBPROTOCOL,
} from '@less-sync/core';
import WebSocket, { type RawData } from 'ws';
import type { RemoteChunk } from '../../deps.js';
import { FederationCallError } from './errors.js';

/** Frames above this are refused by the socket (a pull chunk or result is far smaller). */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface PeerSocketLimits {
  /** Calls awaiting an answer on one socket; more fail at once (`overloaded`). */
  readonly maxPendingCalls: number;
  /** Bytes queued for sending; a call beyond it fails at once instead of growing the buffer. */
  readonly maxQueuedBytes: number;
  /** Chunk bytes one call may collect (a forwarded pull is buffered before relaying). */
  readonly maxChunkBytes: number;
}

export interface DialOptions {
  readonly url: string;
  /** Signature headers for exactly this URL and Host (R16). */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra trusted CA certificates (PEM) for `wss://` peers, on top of the system roots. */
  readonly ca?: readonly string[] | undefined;
  readonly timeoutMs: number;
  readonly limits: PeerSocketLimits;
  /** A server → peer notification (FED-RPC-09 shapes are decoded by the receiver). */
  readonly onNotification: (method: string, params: WireValue | undefined) => void;
  /** The socket ended (not called for {@link PeerSocket.close}). */
  readonly onClosed: (reason: string) => void;
}

export interface CallAnswer {
  readonly result: WireValue | undefined;
  readonly chunks: readonly RemoteChunk[];
}

interface Pending {
  readonly resolve: (answer: CallAnswer) => void;
  readonly reject: (err: FederationCallError) => void;
  readonly chunks: RemoteChunk[];
  chunkBytes: number;
  readonly timer: NodeJS.Timeout;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * One signed federation socket to a peer (FED-PEER-03/04): calls are pipelined and matched to their
 * answers and chunks by request id, each with its own deadline (B8); an error answer fails only that
 * call (B7). Notifications go to `onNotification`.
 */
export class PeerSocket {
  private readonly pending = new Map<string, Pending>();
  private ended = false;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: DialOptions,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.onFrame(toBytes(data));
    });
    ws.on('close', (code, reason) => this.end(`closed (${code}${reason.length > 0 ? ` ${reason}` : ''})`));
    ws.on('error', (err) => this.end(`socket error: ${err.message}`));
  }

  /** Dial, send the signed upgrade, and require `less-rpc-v1` back (FED-PEER-03). */
  static dial(options: DialOptions): Promise<PeerSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(options.url, WS_SUBPROTOCOL, {
        headers: { ...options.headers },
        handshakeTimeout: options.timeoutMs,
        maxPayload: MAX_FRAME_BYTES,
        perMessageDeflate: false,
        ...(options.ca === undefined || options.ca.length === 0 ? {} : { ca: [...options.ca] }),
      });
      const fail = (detail: string, cause?: unknown) => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(FederationCallError.unavailable(detail, cause));
      };
      ws.once('unexpected-response', (_req, res) => {
        fail(`upgrade refused with HTTP ${res.statusCode ?? 0}`);
      });
      ws.once('error', (err) => fail(err.message, err));
      ws.once('open', () => {
        if (ws.protocol !== WS_SUBPROTOCOL) {
          fail(`unexpected subprotocol "${ws.protocol}"`);
          return;
        }
        ws.removeAllListeners();
        resolve(new PeerSocket(ws, options));
      });
    });
  }

  get open(): boolean {
    return !this.ended && this.ws.readyState === WebSocket.OPEN;
  }

  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Send `{type:0, id, method, params}` and wait for the matching answer, at most `deadlineMs`. */
  call(id: string, method: string, params: FrameBody, deadlineMs: number): Promise<CallAnswer> {
    if (!this.open) return Promise.reject(FederationCallError.unavailable('connection is closed'));
    const { limits } = this.options;
    if (this.pending.size >= limits.maxPendingCalls) {
      return Promise.reject(FederationCallError.overloaded(`${this.pending.size} calls waiting`));
    }
    if (this.ws.bufferedAmount > limits.maxQueuedBytes) {
      return Promise.reject(FederationCallError.overloaded('send queue is full'));
    }
    let frame: Uint8Array;
    try {
      frame = encodeRequest(id, method, params);
    } catch (err) {
      return Promise.reject(FederationCallError.protocol(`cannot encode ${method}: ${String(err)}`));
    }
    return new Promise<CallAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(FederationCallError.timeout());
      }, deadlineMs);
      this.pending.set(id, { resolve, reject, chunks: [], chunkBytes: 0, timer });
      this.ws.send(frame, { binary: true }, (err) => {
        if (err !== undefined && err !== null)
          this.settle(id, FederationCallError.unavailable(err.message, err));
      });
    });
  }

  /** A fire-and-forget notification (`unsubscribe`); false when the socket cannot take it. */
  notify(method: string, params: FrameBody): boolean {
    if (!this.open || this.ws.bufferedAmount > this.options.limits.maxQueuedBytes) return false;
    this.ws.send(encodeNotification(method, params), { binary: true });
    return true;
  }

  /** FED-PEER-09: a Close frame; pending calls fail as unavailable. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.failAll('connection closed by this server');
    this.ws.removeAllListeners();
    this.ws.on('error', () => {});
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    else this.ws.terminate();
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.failAll(reason);
    this.ws.terminate();
    this.options.onClosed(reason);
  }

  private failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, FederationCallError.unavailable(reason));
  }

  private settle(id: string, outcome: FederationCallError | CallAnswer): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome instanceof FederationCallError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  private onFrame(bytes: Uint8Array): void {
    if (bytes.length === 0 || isKeepalive(bytes)) return;
    let raw: WireValue;
    let type: number;
    let id: string;
    try {
      raw = decodeCbor(bytes);
      ({ type, id } = FrameHeadCodec.decode(raw));
    } catch {
      // A peer speaking garbage cannot be trusted to match answers any more.
      this.end('undecodable frame from peer');
      return;
    }
    if (!isWireObject(raw)) return;
    if (type === FrameType.Response) this.onResponse(id, raw);
    else if (type === FrameType.Chunk) this.onChunk(id, raw, bytes.length);
    else if (type === FrameType.Notification) {
      const method = typeof raw.method === 'string' ? raw.method : '';
      this.options.onNotification(method, raw.params);
    }
  }

  private onResponse(id: string, raw: { readonly [key: string]: WireValue | undefined }): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    const error = raw.error;
    if (error !== undefined) {
      const code = isWireObject(error) && typeof error.code === 'string' ? error.code : 'internal';
      const message = isWireObject(error) && typeof error.message === 'string' ? error.message : '';
      this.settle(id, FederationCallError.remote(code, message));
      return;
    }
    this.settle(id, { result: raw.result, chunks: pending.chunks });
  }

  private onChunk(id: string, raw: { readonly [key: string]: WireValue | undefined }, size: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    pending.chunkBytes += size;
    if (pending.chunkBytes > this.options.limits.maxChunkBytes) {
      this.settle(id, FederationCallError.overloaded('pull answer too large'));
      return;
    }
    const name = typeof raw.name === 'string' ? raw.name : '';
    pending.chunks.push({ name, data: raw.data ?? null });
  }
}
