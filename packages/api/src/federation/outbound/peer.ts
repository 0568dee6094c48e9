import type { KeyObject } from 'node:crypto';
import { signHttpRequest } from '@less-sync/auth';
import {
  canonicalSpaceId,
  type FrameBody,
  Payload,
  SubscribeParamsCodec,
  SubscribeResultCodec,
  UnsubscribeParamsCodec,
  type WireValue,
  type WsSubscribeSpace,
} from '@less-sync/core';
import type { ApiLogger } from '../../deps.js';
import { FederationCallError } from './errors.js';
import { fstExpiryMs } from './fst-expiry.js';
import { type CallAnswer, PeerSocket, type PeerSocketLimits } from './socket.js';

export interface OutboundSigner {
  /** The primary key's kid, used verbatim as keyid (FED-PEER-01). */
  readonly keyId: string;
  readonly privateKey: Uint8Array | KeyObject;
}

export interface BackoffConfig {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface PeerLinkOptions {
  readonly domain: string;
  readonly signer: OutboundSigner;
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly backoff: BackoffConfig;
  /** Renew a cached FST this long before it expires (with the subscriber's UCAN). */
  readonly renewBeforeMs: number;
  readonly limits: PeerSocketLimits;
  readonly ca: readonly string[] | undefined;
  readonly now: () => number;
  readonly nextId: () => string;
  readonly logger: ApiLogger;
  readonly onNotification: (domain: string, method: string, params: WireValue | undefined) => void;
  /** A cached subscription could not be restored or renewed: local subscribers lost their feed. */
  readonly onSubscriptionLost: (domain: string, space: string, code: string) => void;
}

export type PeerLinkState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

/** What `/health` and metrics show per peer. */
export interface PeerLinkStatus {
  readonly domain: string;
  readonly url: string;
  readonly state: PeerLinkState;
  readonly pendingCalls: number;
  readonly subscriptions: number;
  readonly reconnects: number;
  readonly lastError?: string;
  readonly lastErrorAt?: number;
}

/** One remote subscription: the home's FST and the entry that first subscribed (its UCAN renews it). */
interface Cached {
  token: string;
  expiresAt: number | undefined;
  entry: WsSubscribeSpace;
  /** False once a renewal did not move the expiry (the UCAN ends first). */
  renewable: boolean;
}

export interface RemoteSpaceError {
  readonly space: string;
  readonly error: string;
}

/**
 * The link to one peer domain (FED-PEER-03..07): a lazily dialled signed socket (R16: the URL dialled is
 * the URL signed, re-derived per dial, B15), pipelined calls with deadlines (B8), error answers that keep
 * the socket (B7), and, while subscriptions exist, reconnects with exponential backoff and jitter that
 * restore them (FED-PEER-07) and renew their FSTs before they lapse.
 */
export class PeerLink {
  private socket: PeerSocket | undefined;
  private dialing: Promise<PeerSocket> | undefined;
  private state: PeerLinkState = 'idle';
  private readonly cache = new Map<string, Cached>();
  private attempt = 0;
  private reconnects = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private lastError: { message: string; at: number } | undefined;
  private url: string;

  constructor(
    private readonly options: PeerLinkOptions,
    url: string,
  ) {
    this.url = url;
  }

  /** B15: every dial uses the latest URL a caller derived for this domain. */
  setUrl(url: string): void {
    this.url = url;
  }

  status(): PeerLinkStatus {
    return {
      domain: this.options.domain,
      url: this.url,
      state: this.state,
      pendingCalls: this.socket?.pendingCalls ?? 0,
      subscriptions: this.cache.size,
      reconnects: this.reconnects,
      ...(this.lastError === undefined
        ? {}
        : { lastError: this.lastError.message, lastErrorAt: this.lastError.at }),
    };
  }

  /** One request with a deadline covering the dial too; an error answer leaves the socket up (B7). */
  async call(method: string, params: FrameBody): Promise<CallAnswer> {
    const deadline = this.options.now() + this.options.callTimeoutMs;
    const socket = await this.connected(deadline);
    const left = Math.max(1, deadline - this.options.now());
    try {
      return await socket.call(this.options.nextId(), method, params, left);
    } catch (err) {
      if (err instanceof FederationCallError && err.kind !== 'remote') this.noteError(err.message);
      throw err;
    }
  }

  /** FED-PEER-06: subscribe; cache each returned FST; per-space errors are returned, not thrown (R29). */
  async subscribe(entries: readonly WsSubscribeSpace[]): Promise<RemoteSpaceError[]> {
    if (entries.length === 0) return [];
    const answer = await this.call('subscribe', Payload.of(SubscribeParamsCodec, { spaces: entries }));
    return this.absorb(entries, answer.result);
  }

  /** Forget spaces no local client needs and tell the home (B7: `unsubscribe` is forwarded). */
  unsubscribe(spaces: readonly string[]): void {
    const gone = spaces.filter((space) => this.cache.delete(canonicalSpaceId(space) ?? space));
    if (gone.length === 0) return;
    this.socket?.notify('unsubscribe', Payload.of(UnsubscribeParamsCodec, { spaces: gone }));
    this.scheduleRenewal();
  }

  /**
   * FED-PEER-07: re-subscribe every cached space, with its FST while that is fresh and with the
   * subscriber's UCAN otherwise (or when the FST is refused). Spaces refused both ways are lost.
   */
  async restore(): Promise<void> {
    if (this.cache.size === 0) return;
    const now = this.options.now();
    const byToken: WsSubscribeSpace[] = [];
    const byUcan: WsSubscribeSpace[] = [];
    for (const [space, c] of this.cache) {
      const fresh =
        c.token !== '' && (c.expiresAt === undefined || c.expiresAt - now > this.options.renewBeforeMs);
      if (fresh) byToken.push({ id: space, since: 0, ucan: '', token: c.token, presence: false });
      else byUcan.push({ ...c.entry, since: 0, token: '', presence: false });
    }
    const refused = await this.subscribe(byToken);
    for (const { space } of refused) {
      const c = this.cache.get(canonicalSpaceId(space) ?? space);
      if (c !== undefined && c.entry.ucan !== '')
        byUcan.push({ ...c.entry, since: 0, token: '', presence: false });
    }
    const lost = await this.subscribe(byUcan);
    const finalLost = [...lost, ...refused.filter((r) => !byUcan.some((e) => e.id === r.space))];
    for (const { space, error } of finalLost) {
      this.cache.delete(canonicalSpaceId(space) ?? space);
      this.options.onSubscriptionLost(this.options.domain, space, error);
    }
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /** FED-PEER-09. */
  close(): void {
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    clearTimeout(this.renewTimer);
    this.cache.clear();
    this.socket?.close();
    this.socket = undefined;
  }

  private absorb(entries: readonly WsSubscribeSpace[], result: WireValue | undefined): RemoteSpaceError[] {
    let decoded: ReturnType<typeof SubscribeResultCodec.decode>;
    try {
      decoded = SubscribeResultCodec.decode(result ?? null);
    } catch {
      // Not the reference's silent empty-token fallback (B6): the caller learns the home answered badly.
      throw FederationCallError.protocol('subscribe result does not decode');
    }
    const requested = new Map(entries.map((e) => [canonicalSpaceId(e.id) ?? e.id, e]));
    for (const s of decoded.spaces) {
      const space = canonicalSpaceId(s.id) ?? s.id;
      const entry = requested.get(space);
      const previous = this.cache.get(space);
      const ucanEntry = entry !== undefined && entry.ucan !== '' ? entry : previous?.entry;
      this.cache.set(space, {
        token: s.token,
        expiresAt: fstExpiryMs(s.token),
        entry: ucanEntry ?? { id: space, since: 0, ucan: '', token: '', presence: false },
        renewable: true,
      });
    }
    this.scheduleRenewal();
    return (decoded.errors ?? []).map((e) => ({ space: e.space, error: e.error }));
  }

  private async connected(deadline: number): Promise<PeerSocket> {
    if (this.isClosed()) throw FederationCallError.unavailable('federation is shutting down');
    if (this.socket?.open) return this.socket;
    this.dialing ??= this.dial().finally(() => {
      this.dialing = undefined;
    });
    const left = deadline - this.options.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(FederationCallError.timeout()), Math.max(1, left));
    });
    try {
      return await Promise.race([this.dialing, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async dial(): Promise<PeerSocket> {
    this.state = 'connecting';
    const url = this.url;
    try {
      const socket = await PeerSocket.dial({
        url,
        headers: this.signedHeaders(url),
        ca: this.options.ca,
        timeoutMs: this.options.connectTimeoutMs,
        limits: this.options.limits,
        onNotification: (method, params) => this.options.onNotification(this.options.domain, method, params),
        onClosed: (reason) => this.onSocketClosed(socket, reason),
      });
      if (this.isClosed()) {
        socket.close();
        throw FederationCallError.unavailable('federation is shutting down');
      }
      this.socket = socket;
      this.state = 'connected';
      this.attempt = 0;
      this.options.logger.info?.({ peer: this.options.domain, url }, 'federation peer link up');
      return socket;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.noteError(message);
      if (!this.isClosed()) this.state = this.cache.size > 0 ? 'backoff' : 'idle';
      this.scheduleReconnect();
      throw err instanceof FederationCallError ? err : FederationCallError.unavailable(message, err);
    }
  }

  /** R16: sign exactly the URL dialled, with the Host the socket sends. */
  private signedHeaders(url: string): Record<string, string> {
    const host = new URL(url).host;
    const { signer } = this.options;
    return {
      host,
      ...signHttpRequest({ method: 'GET', url, headers: { host } }, signer.privateKey, signer.keyId, {
        now: () => this.options.now(),
      }),
    };
  }

  private onSocketClosed(socket: PeerSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.isClosed()) return;
    this.noteError(reason);
    this.options.logger.warn({ peer: this.options.domain, reason }, 'federation peer link down');
    this.state = this.cache.size > 0 ? 'backoff' : 'idle';
    this.scheduleReconnect();
  }

  /** Only subscriptions need a live socket; without any, the next call dials. */
  private scheduleReconnect(): void {
    if (this.isClosed() || this.cache.size === 0 || this.retryTimer !== undefined) return;
    const { initialMs, maxMs } = this.options.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempt, 20));
    // Full jitter: peers restarted together do not reconnect in lock step.
    const delay = this.attempt === 0 ? 0 : Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.reconnect();
    }, delay);
    this.retryTimer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.isClosed() || this.cache.size === 0 || this.socket?.open) return;
    try {
      await this.connected(this.options.now() + this.options.connectTimeoutMs);
      this.reconnects++;
      await this.restore();
    } catch (err) {
      this.options.logger.warn({ err, peer: this.options.domain }, 'federation reconnect failed');
      this.scheduleReconnect();
    }
  }

  /** One timer for the earliest FST that needs renewing. */
  private scheduleRenewal(): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
    if (this.isClosed()) return;
    let earliest: number | undefined;
    for (const c of this.cache.values()) {
      if (c.expiresAt === undefined || c.entry.ucan === '' || !c.renewable) continue;
      earliest = Math.min(earliest ?? c.expiresAt, c.expiresAt);
    }
    if (earliest === undefined) return;
    const delay = Math.max(1000, earliest - this.options.renewBeforeMs - this.options.now());
    this.renewTimer = setTimeout(() => void this.renew(), Math.min(delay, 2 ** 31 - 1));
    this.renewTimer.unref();
  }

  /** Re-subscribe with the UCAN every space whose FST is within the renewal margin. */
  private async renew(): Promise<void> {
    this.renewTimer = undefined;
    const now = this.options.now();
    const due = [...this.cache.entries()]
      .filter(
        ([, c]) =>
          c.renewable &&
          c.expiresAt !== undefined &&
          c.entry.ucan !== '' &&
          c.expiresAt - now <= this.options.renewBeforeMs,
      )
      .map(([space, c]) => ({ ...c.entry, id: space, since: 0, token: '', presence: false }));
    const before = new Map(due.map((e) => [e.id, this.cache.get(e.id)?.expiresAt]));
    try {
      const lost = await this.subscribe(due);
      for (const { space, error } of lost) {
        this.cache.delete(canonicalSpaceId(space) ?? space);
        this.options.onSubscriptionLost(this.options.domain, space, error);
      }
      // A token the home cannot extend (the UCAN ends first) is not renewed again.
      for (const [space, old] of before) {
        const c = this.cache.get(space);
        if (c !== undefined && c.expiresAt === old) c.renewable = false;
      }
    } catch (err) {
      this.options.logger.warn({ err, peer: this.options.domain }, 'federation token renewal failed');
      setTimeout(() => this.scheduleRenewal(), this.options.backoff.maxMs).unref();
      return;
    }
    this.scheduleRenewal();
  }

  private noteError(message: string): void {
    this.lastError = { message, at: this.options.now() };
  }
}
