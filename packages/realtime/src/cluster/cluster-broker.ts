import { encodeNotification } from '@less-sync/core';
import { BrokerError } from '../broker/errors.js';
import { InMemoryBroker } from '../broker/memory-broker.js';
import { spaceKey } from '../broker/space-key.js';
import type { Broker, Subscriber, SubscriberId } from '../broker/types.js';
import type { PresenceRegistry } from '../presence/registry.js';
import type { ClusterTransport, TransportHealth } from '../transports/types.js';
import { frameInfo } from './frame-info.js';
import { type ClusterMessage, decodeMessage, encodeMessage } from './messages.js';
import { HintOutbox } from './outbox.js';
import type { ChangeResolver, ClusterLogger, ConnectionSlots } from './types.js';

export interface ClusterBrokerOptions {
  readonly transport: ClusterTransport;
  /** Unique per process (the app uses a random UUID); hints from this id are our own. */
  readonly instanceId: string;
  readonly maxConnectionsPerMailbox: number;
  readonly resolver?: ChangeResolver | undefined;
  /** Service-wide mailbox slots; without them the cap is per process. */
  readonly slots?: ConnectionSlots | undefined;
  /** Mirrors remote peers so presence lists include every instance's peers. */
  readonly presence?: PresenceRegistry | undefined;
  readonly logger?: ClusterLogger | undefined;
  /** false: a single process (embedded database); nothing is relayed or decoded. Default true. */
  readonly relay?: boolean | undefined;
}

export type RevocationHandler = (space: string, cid: string, reason: string) => void;

const silent: ClusterLogger = { warn: () => {} };

/**
 * A {@link Broker} for many instances: local fan-out through an in-memory broker, plus a hint to every
 * other instance through the transport. A receiving instance delivers the carried frame, or reads the
 * change back by cursor when the frame was too large to carry. Per space it remembers the last cursor
 * it delivered, so after a transport gap it catches up every locally watched space from the database.
 */
export class ClusterBroker implements Broker {
  readonly local: InMemoryBroker;
  private readonly o: ClusterBrokerOptions;
  private readonly log: ClusterLogger;
  private readonly outbox: HintOutbox;
  private readonly spacesOf = new Map<SubscriberId, Set<string>>();
  private readonly slotOf = new Map<SubscriberId, string>();
  private readonly watchers = new Map<string, number>();
  private readonly lastCursor = new Map<string, number>();
  /** Per-space delivery chain: remote deliveries and catch-ups of one space run in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly revocationHandlers: RevocationHandler[] = [];
  private nextSlot = 1;

  constructor(options: ClusterBrokerOptions) {
    this.o = options;
    this.log = options.logger ?? silent;
    this.local = new InMemoryBroker({ maxConnectionsPerMailbox: options.maxConnectionsPerMailbox });
    // With service-wide slots the table is the only cap; the local broker just counts.
    this.local.setMailboxLimitEnabled(options.slots === undefined);
    this.outbox = new HintOutbox(options.transport, (err) => this.log.warn({ err }, 'cluster hint not sent'));
  }

  /** Start listening. A transport that cannot connect yet is logged and retried (health shows it). */
  async start(): Promise<void> {
    try {
      await this.o.transport.start({
        message: (body) => this.receive(body),
        resumed: () => this.catchUpAll(),
        stateChanged: (health) => this.stateChanged(health),
      });
    } catch (err) {
      this.log.warn({ err, transport: this.o.transport.kind }, 'cluster transport unreachable; retrying');
    }
  }

  health(): TransportHealth {
    return this.o.transport.health();
  }

  onRevocation(handler: RevocationHandler): void {
    this.revocationHandlers.push(handler);
  }

  /** R8 across instances: every other instance ends subscriptions resting on `cid`. */
  async publishRevocation(space: string, cid: string, reason: string): Promise<void> {
    this.outbox.send(encodeMessage({ t: 'v', o: this.o.instanceId, s: spaceKey(space), cid, r: reason }));
  }

  async register(subscriber: Subscriber, spaces: Iterable<string> = []): Promise<SubscriberId> {
    let slot: string | undefined;
    if (this.o.slots !== undefined) {
      slot = `${this.o.instanceId}:${this.nextSlot++}`;
      const ok = await this.o.slots.acquire(subscriber.mailboxId, slot, this.o.maxConnectionsPerMailbox);
      if (!ok) throw new BrokerError('too_many_connections');
    }
    const list = [...spaces];
    const id = this.local.registerNow(subscriber, list);
    if (slot !== undefined) this.slotOf.set(id, slot);
    this.spacesOf.set(id, new Set());
    this.watch(id, list);
    return id;
  }

  async unregister(id: SubscriberId): Promise<void> {
    const spaces = this.spacesOf.get(id);
    this.spacesOf.delete(id);
    if (spaces !== undefined) for (const space of spaces) this.unwatch(space);
    const slot = this.slotOf.get(id);
    this.slotOf.delete(id);
    if (slot !== undefined) {
      await this.o.slots
        ?.release(slot)
        .catch((err: unknown) => this.log.warn({ err }, 'slot release failed'));
    }
    if (spaces === undefined) throw new BrokerError('subscriber_not_found');
    await this.local.unregister(id).catch(() => undefined);
  }

  async addSpaces(id: SubscriberId, spaces: Iterable<string>): Promise<void> {
    const list = [...spaces];
    await this.local.addSpaces(id, list);
    this.watch(id, list);
  }

  async removeSpaces(id: SubscriberId, spaces: Iterable<string>): Promise<void> {
    const list = [...spaces];
    await this.local.removeSpaces(id, list);
    const own = this.spacesOf.get(id);
    for (const raw of list) {
      const space = spaceKey(raw);
      if (own?.delete(space)) this.unwatch(space);
    }
  }

  /** Every broadcast also advances the space's cursor on the other instances, so only a non-relaying broker can skip one. */
  hasAudience(space: string, excludeId: string): boolean {
    return this.o.relay !== false || this.local.hasAudience(space, excludeId);
  }

  async broadcastSpace(rawSpace: string, excludeId: string, payload: Uint8Array): Promise<number> {
    const space = spaceKey(rawSpace);
    const delivered = this.local.broadcastSpaceNow(space, excludeId, payload);
    if (this.o.relay === false) return delivered;
    const info = frameInfo(payload);
    if (info === undefined) return delivered;
    if (info.cursor !== undefined) this.advance(space, info.cursor);
    const base = { t: 's', o: this.o.instanceId, s: space, k: info.method, x: excludeId } as const;
    const withCursor = info.cursor === undefined ? base : { ...base, c: info.cursor };
    const full = encodeMessage({ ...withCursor, p: Buffer.from(payload).toString('base64') });
    if (Buffer.byteLength(full) <= this.o.transport.maxMessageBytes)
      this.outbox.send(full, space, info.cursor);
    // Too large to carry: a cursor-only hint (coalesced per space); receivers read the change back.
    else if (info.cursor !== undefined)
      this.outbox.sendCursor(space, info.method, info.cursor, this.o.instanceId);
    return delivered;
  }

  async broadcastMailbox(mailboxId: string, payload: Uint8Array): Promise<number> {
    const delivered = await this.local.broadcastMailbox(mailboxId, payload);
    if (this.o.relay === false) return delivered;
    this.outbox.send(
      encodeMessage({
        t: 'm',
        o: this.o.instanceId,
        m: mailboxId,
        p: Buffer.from(payload).toString('base64'),
      }),
    );
    return delivered;
  }

  async connectionCount(mailboxId: string): Promise<number> {
    return this.o.slots !== undefined ? this.o.slots.count(mailboxId) : this.local.connectionCount(mailboxId);
  }

  /** An instance stopped heartbeating: its mirrored peers leave, told to local subscribers only. */
  dropInstance(instanceId: string): number {
    const leaves = this.o.presence?.dropOrigin(instanceId) ?? [];
    for (const leave of leaves) {
      this.local.broadcastSpaceNow(leave.space, '', encodeNotification('presence.leave', { ...leave }));
    }
    return leaves.length;
  }

  /** Spaces this instance currently watches (tests, diagnostics). */
  watchedSpaces(): string[] {
    return [...this.watchers.keys()];
  }

  async close(): Promise<void> {
    await this.outbox.close();
    await this.o.transport.close();
    await Promise.all([...this.chains.values()]);
  }

  private watch(id: SubscriberId, spaces: readonly string[]): void {
    const own = this.spacesOf.get(id);
    if (own === undefined) return;
    for (const raw of spaces) {
      const space = spaceKey(raw);
      if (own.has(space)) continue;
      own.add(space);
      const count = this.watchers.get(space) ?? 0;
      this.watchers.set(space, count + 1);
      if (count === 0 && !this.lastCursor.has(space)) this.baseline(space);
    }
  }

  private unwatch(space: string): void {
    const count = (this.watchers.get(space) ?? 1) - 1;
    if (count > 0) {
      this.watchers.set(space, count);
      return;
    }
    this.watchers.delete(space);
    this.lastCursor.delete(space);
  }

  private baseline(space: string): void {
    const resolver = this.o.resolver;
    if (resolver === undefined) return;
    this.enqueue(space, async () => {
      const cursor = await resolver.cursor(space);
      if (this.watchers.has(space)) this.advance(space, cursor);
    });
  }

  private advance(space: string, cursor: number): void {
    if (!this.watchers.has(space)) return;
    if (cursor > (this.lastCursor.get(space) ?? -1)) this.lastCursor.set(space, cursor);
  }

  private enqueue(space: string, task: () => Promise<void>): void {
    const run = (this.chains.get(space) ?? Promise.resolve())
      .then(task)
      .catch((err: unknown) => this.log.warn({ err, space }, 'cluster delivery failed'));
    this.chains.set(space, run);
    void run.then(() => {
      if (this.chains.get(space) === run) this.chains.delete(space);
    });
  }

  private receive(body: string): void {
    const message = decodeMessage(body);
    if (message === undefined) {
      this.log.warn({ bytes: body.length }, 'malformed cluster hint ignored');
      return;
    }
    if (message.o === this.o.instanceId) return;
    switch (message.t) {
      case 's':
        if (this.watchers.has(message.s)) this.enqueue(message.s, () => this.deliverSpace(message));
        break;
      case 'm':
        void this.local.broadcastMailbox(message.m, Buffer.from(message.p, 'base64'));
        break;
      case 'v':
        for (const handler of this.revocationHandlers) handler(message.s, message.cid, message.r);
        break;
    }
  }

  private async deliverSpace(message: Extract<ClusterMessage, { t: 's' }>): Promise<void> {
    const { s: space, c: cursor } = message;
    if (message.p !== undefined) {
      const payload = new Uint8Array(Buffer.from(message.p, 'base64'));
      this.mirrorPresence(space, message.k, payload, message.o);
      this.local.broadcastSpaceNow(space, message.x, payload);
      if (cursor !== undefined) this.advance(space, cursor);
      return;
    }
    if (cursor === undefined) return;
    const last = this.lastCursor.get(space);
    if (last !== undefined && cursor <= last) return;
    await this.catchUp(space, last ?? cursor - 1);
  }

  private async catchUp(space: string, since: number): Promise<void> {
    const resolver = this.o.resolver;
    if (resolver === undefined || !this.watchers.has(space)) return;
    const { frames, cursor } = await resolver.changesSince(space, since);
    for (const frame of frames) this.local.broadcastSpaceNow(space, '', frame);
    this.advance(space, cursor);
  }

  private catchUpAll(): void {
    for (const space of this.watchers.keys()) {
      this.enqueue(space, async () => {
        const last = this.lastCursor.get(space);
        if (last !== undefined) await this.catchUp(space, last);
        else this.baseline(space);
      });
    }
    this.outbox.flush();
  }

  private mirrorPresence(space: string, method: string, payload: Uint8Array, origin: string): void {
    const presence = this.o.presence;
    if (presence === undefined || (method !== 'presence' && method !== 'presence.leave')) return;
    const info = frameInfo(payload);
    if (info?.peer === undefined) return;
    if (method === 'presence' && info.data !== undefined)
      presence.mirror(space, info.peer, info.data, origin);
    else if (method === 'presence.leave') presence.unmirror(space, info.peer);
  }

  private stateChanged(health: TransportHealth): void {
    if (health.state === 'degraded') {
      this.log.warn({ transport: health.kind, detail: health.detail }, 'cluster transport degraded');
    } else this.log.info?.({ transport: health.kind, state: health.state }, 'cluster transport state');
  }
}
