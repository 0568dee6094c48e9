import type {
  FrameBody,
  PullParams,
  PushParams,
  PushRpcResultInit,
  WireValue,
  WsSubscribeSpace,
} from '@less-sync/core';
import {
  canonicalSpaceId,
  FederationInvitationParamsCodec,
  FederationInvitationResultCodec,
  Payload,
  PullParamsCodec,
  PushParamsCodec,
  PushRpcResultCodec,
} from '@less-sync/core';
import type {
  ApiLogger,
  FederationForwarder,
  FederationInbox,
  ForwardContext,
  PeerTarget,
  RemoteChunk,
  RemoteSubscribeOutcome,
} from '../../deps.js';
import { EchoFilter, HeldNotifications } from './echo-filter.js';
import { FederationCallError } from './errors.js';
import { type BackoffConfig, type OutboundSigner, PeerLink, type PeerLinkStatus } from './peer.js';
import type { PeerSocketLimits } from './socket.js';

export interface PeerManagerConfig {
  /** B8: every call's deadline, dial included. */
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly backoff: BackoffConfig;
  readonly renewBeforeMs: number;
  readonly limits: PeerSocketLimits;
  /** Peer domain (canonical) → federation URL, instead of the derived one (FED-PEER-02). */
  readonly peerUrls: Readonly<Record<string, string>>;
  /** Extra CA certificates (PEM) trusted for `wss://` peers. */
  readonly ca: readonly string[];
  /** Most peer domains held at once (each is one socket). */
  readonly maxPeers: number;
}

export const DEFAULT_PEER_MANAGER_CONFIG: PeerManagerConfig = Object.freeze({
  callTimeoutMs: 5000,
  connectTimeoutMs: 5000,
  backoff: Object.freeze({ initialMs: 250, maxMs: 30_000 }),
  renewBeforeMs: 10 * 60_000,
  limits: Object.freeze({
    maxPendingCalls: 1024,
    maxQueuedBytes: 8 * 1024 * 1024,
    maxChunkBytes: 64 * 1024 * 1024,
  }),
  peerUrls: Object.freeze({}),
  ca: Object.freeze([]) as readonly string[],
  maxPeers: 1024,
});

export interface PeerManagerOptions {
  readonly signer: OutboundSigner;
  readonly config?: Partial<PeerManagerConfig>;
  readonly logger?: ApiLogger;
  readonly now?: () => number;
}

const silent: ApiLogger = { warn: () => {}, error: () => {} };

/**
 * The outbound federation peer manager (FED-PEER-01..09): one {@link PeerLink} per canonical peer
 * domain, request ids `fed-<n>`, and the {@link FederationForwarder} calls the client RPC makes for
 * spaces homed elsewhere. Notifications the home servers send come back through the attached inbox.
 */
export class FederationPeerManager implements FederationForwarder {
  private readonly config: PeerManagerConfig;
  private readonly links = new Map<string, PeerLink>();
  private readonly echoes = new EchoFilter();
  private readonly held = new HeldNotifications();
  private readonly logger: ApiLogger;
  private readonly now: () => number;
  private inbox: FederationInbox | undefined;
  private counter = 0;
  private closed = false;

  constructor(private readonly options: PeerManagerOptions) {
    this.config = { ...DEFAULT_PEER_MANAGER_CONFIG, ...options.config };
    this.logger = options.logger ?? silent;
    this.now = options.now ?? Date.now;
  }

  attach(inbox: FederationInbox): void {
    this.inbox = inbox;
  }

  /** Per-peer state for `/health` and metrics. */
  status(): PeerLinkStatus[] {
    return [...this.links.values()]
      .map((link) => link.status())
      .sort((a, b) => a.domain.localeCompare(b.domain));
  }

  async subscribe(peer: PeerTarget, spaces: readonly WsSubscribeSpace[]): Promise<RemoteSubscribeOutcome> {
    return { errors: await this.link(peer).subscribe(spaces) };
  }

  unsubscribe(peer: PeerTarget, spaces: readonly string[]): void {
    this.links.get(peer.domain)?.unsubscribe(spaces);
  }

  async forwardPush(
    peer: PeerTarget,
    params: PushParams,
    context?: ForwardContext,
  ): Promise<PushRpcResultInit> {
    const link = this.link(peer);
    const space = canonical(params.space);
    // The home may send the change's `sync` before its answer: hold the space's notifications meanwhile.
    const release = this.held.hold(peer.domain, space);
    try {
      const answer = await link.call('push', Payload.of(PushParamsCodec, params));
      let result: PushRpcResultInit;
      try {
        result = PushRpcResultCodec.decode(answer.result ?? null);
      } catch {
        throw FederationCallError.protocol('push result does not decode');
      }
      const cursor = Number(result.cursor ?? 0);
      if (result.ok && context?.connectionId !== undefined && cursor > 0) {
        this.echoes.record(space, cursor, context.connectionId, this.now());
      }
      return result;
    } finally {
      for (const n of release()) this.deliver(n.domain, n.method, n.params);
    }
  }

  async pull(peer: PeerTarget, spaces: PullParams['spaces']): Promise<readonly RemoteChunk[]> {
    const answer = await this.link(peer).call('pull', Payload.of(PullParamsCodec, { spaces }));
    return answer.chunks;
  }

  restoreSubscriptions(peer: PeerTarget): Promise<void> {
    return this.link(peer).restore();
  }

  async forwardInvitation(peer: PeerTarget, params: { mailboxId: string; payload: string }): Promise<void> {
    const body: FrameBody = Payload.of(FederationInvitationParamsCodec, {
      mailbox_id: params.mailboxId,
      payload: params.payload,
    });
    const answer = await this.link(peer).call('fed.invitation', body);
    let ok: boolean;
    try {
      ok = FederationInvitationResultCodec.decode(answer.result ?? null).ok;
    } catch {
      throw FederationCallError.protocol('fed.invitation result does not decode');
    }
    if (!ok)
      throw FederationCallError.remote('internal', `peer ${peer.domain} rejected federation invitation`);
  }

  /** FED-PEER-09: drop every link; later calls fail as unavailable. */
  close(): void {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  private link(peer: PeerTarget): PeerLink {
    if (this.closed) throw FederationCallError.unavailable('federation is shutting down');
    const url = this.config.peerUrls[peer.domain] ?? peer.url;
    let link = this.links.get(peer.domain);
    if (link !== undefined) {
      link.setUrl(url);
      return link;
    }
    if (this.links.size >= this.config.maxPeers) throw FederationCallError.overloaded('too many peers');
    link = new PeerLink(
      {
        domain: peer.domain,
        signer: this.options.signer,
        callTimeoutMs: this.config.callTimeoutMs,
        connectTimeoutMs: Math.min(this.config.connectTimeoutMs, this.config.callTimeoutMs),
        backoff: this.config.backoff,
        renewBeforeMs: this.config.renewBeforeMs,
        limits: this.config.limits,
        ca: this.config.ca,
        now: this.now,
        nextId: () => `fed-${++this.counter}`,
        logger: this.logger,
        onNotification: (domain, method, params) => this.onNotification(domain, method, params),
        onSubscriptionLost: (domain, space, code) => {
          void this.inbox?.subscriptionLost(domain, space, code).catch((err: unknown) => {
            this.logger.warn({ err, peer: domain, space }, 'ending a lost remote subscription failed');
          });
        },
      },
      url,
    );
    this.links.set(peer.domain, link);
    return link;
  }

  private onNotification(domain: string, method: string, params: WireValue | undefined): void {
    if (this.inbox === undefined) return;
    const space = spaceOf(params);
    if (space !== undefined && this.held.offer(domain, canonical(space), { domain, method, params })) return;
    this.deliver(domain, method, params);
  }

  private deliver(domain: string, method: string, params: WireValue | undefined): void {
    const inbox = this.inbox;
    if (inbox === undefined) return;
    const exclude = this.echoOf(method, params);
    void inbox.notification(domain, method, params, exclude).catch((err: unknown) => {
      this.logger.warn({ err, peer: domain, method }, 'federation notification dropped');
    });
  }

  /** R28: the local pusher of the change this notification carries, if it went through us. */
  private echoOf(method: string, params: WireValue | undefined): string | undefined {
    if ((method !== 'sync' && method !== 'file') || params === null || typeof params !== 'object')
      return undefined;
    const p = params as { readonly space?: unknown; readonly cursor?: unknown };
    if (typeof p.space !== 'string' || (typeof p.cursor !== 'number' && typeof p.cursor !== 'bigint'))
      return undefined;
    return this.echoes.pusher(canonical(p.space), Number(p.cursor), this.now());
  }
}

function spaceOf(params: WireValue | undefined): string | undefined {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return undefined;
  const space = (params as { readonly space?: unknown }).space;
  return typeof space === 'string' ? space : undefined;
}

function canonical(space: string): string {
  return canonicalSpaceId(space) ?? space;
}
