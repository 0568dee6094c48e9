import { BrokerError } from './errors.js';
import { spaceKey } from './space-key.js';
import type { Broker, Subscriber, SubscriberId } from './types.js';

/** BROKER-01. */
export interface BrokerConfig {
  /** Connections allowed per mailbox key (default 3). */
  maxConnectionsPerMailbox: number;
}

export const DEFAULT_BROKER_CONFIG: Readonly<BrokerConfig> = Object.freeze({ maxConnectionsPerMailbox: 3 });

interface Entry {
  readonly id: SubscriberId;
  readonly subscriber: Subscriber;
  readonly mailboxId: string;
  /** Created on the first subscription: an idle connection holds none. */
  spaces: Set<string> | undefined;
}

/**
 * Single-process broker (BROKER-04..09). JS runs one task at a time, so the reference's reader/writer lock
 * is not needed: every operation completes before another starts. Indexes hold entries directly so a
 * broadcast walks one Set and never looks anything up per recipient.
 */
export class InMemoryBroker implements Broker {
  private readonly config: BrokerConfig;
  private nextId = 1;
  private enforceMailboxLimit = true;
  private readonly entries = new Map<SubscriberId, Entry>();
  private readonly spaceIndex = new Map<string, Set<Entry>>();
  private readonly mailboxIndex = new Map<string, Set<Entry>>();

  constructor(config: Partial<BrokerConfig> = {}) {
    this.config = { ...DEFAULT_BROKER_CONFIG, ...config };
  }

  /** Turn the per-mailbox limit on or off. Counting continues either way (BROKER-04). */
  setMailboxLimitEnabled(enabled: boolean): void {
    this.enforceMailboxLimit = enabled;
  }

  async register(subscriber: Subscriber, spaces: Iterable<string> = []): Promise<SubscriberId> {
    return this.registerNow(subscriber, spaces);
  }

  /** Synchronous form of {@link register}, for callers that hold the concrete in-memory broker. */
  registerNow(subscriber: Subscriber, spaces: Iterable<string> = []): SubscriberId {
    const mailboxId = subscriber.mailboxId;
    const mailbox = this.mailboxIndex.get(mailboxId);
    const current = mailbox?.size ?? 0;
    if (this.enforceMailboxLimit && current >= this.config.maxConnectionsPerMailbox) {
      throw new BrokerError('too_many_connections');
    }
    const id = this.nextId++ as SubscriberId;
    const entry: Entry = { id, subscriber, mailboxId, spaces: undefined };
    this.entries.set(id, entry);
    if (mailbox) mailbox.add(entry);
    else this.mailboxIndex.set(mailboxId, new Set([entry]));
    this.subscribe(entry, spaces);
    return id;
  }

  async unregister(id: SubscriberId): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) throw new BrokerError('subscriber_not_found');
    this.remove(entry);
  }

  async addSpaces(id: SubscriberId, spaces: Iterable<string>): Promise<void> {
    this.subscribe(this.require(id), spaces);
  }

  async removeSpaces(id: SubscriberId, spaces: Iterable<string>): Promise<void> {
    const entry = this.require(id);
    for (const raw of spaces) {
      const space = spaceKey(raw);
      if (!entry.spaces?.delete(space)) continue;
      this.dropWatcher(this.spaceIndex, space, entry);
    }
  }

  async broadcastSpace(space: string, excludeId: string, payload: Uint8Array): Promise<number> {
    return this.broadcastSpaceNow(space, excludeId, payload);
  }

  /** Synchronous form of {@link broadcastSpace}. */
  broadcastSpaceNow(space: string, excludeId: string, payload: Uint8Array): number {
    const watchers = this.spaceIndex.get(spaceKey(space));
    return watchers ? this.fanOut(watchers, excludeId, payload) : 0;
  }

  hasAudience(space: string, excludeId: string): boolean {
    const watchers = this.spaceIndex.get(spaceKey(space));
    if (watchers === undefined) return false;
    if (watchers.size !== 1) return true;
    for (const entry of watchers) return entry.subscriber.excludeId !== excludeId;
    return false;
  }

  async broadcastMailbox(mailboxId: string, payload: Uint8Array): Promise<number> {
    const watchers = this.mailboxIndex.get(mailboxId);
    return watchers ? this.fanOut(watchers, undefined, payload) : 0;
  }

  async connectionCount(mailboxId: string): Promise<number> {
    return this.mailboxIndex.get(mailboxId)?.size ?? 0;
  }

  /** Registered subscribers (for metrics and tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Subscribers of one space (for metrics and tests). */
  spaceSize(space: string): number {
    return this.spaceIndex.get(spaceKey(space))?.size ?? 0;
  }

  /**
   * Deliver to each watcher. A closed subscriber is evicted before the exclusion check (so an excluded but
   * closed sender still goes); a refused send is a slow consumer and is evicted too (BROKER-07).
   */
  private fanOut(watchers: Set<Entry>, excludeId: string | undefined, payload: Uint8Array): number {
    let delivered = 0;
    let stale: Entry[] | undefined;
    for (const entry of watchers) {
      const subscriber = entry.subscriber;
      const closed = subscriber.isClosed();
      if (!closed && excludeId !== undefined && subscriber.excludeId === excludeId) continue;
      if (!closed && subscriber.send(payload)) {
        delivered++;
        continue;
      }
      stale ??= [];
      stale.push(entry);
    }
    if (stale) for (const entry of stale) this.remove(entry);
    return delivered;
  }

  private require(id: SubscriberId): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new BrokerError('subscriber_not_found');
    return entry;
  }

  private subscribe(entry: Entry, spaces: Iterable<string>): void {
    for (const raw of spaces) {
      const space = spaceKey(raw);
      entry.spaces ??= new Set();
      if (entry.spaces.has(space)) continue;
      entry.spaces.add(space);
      const watchers = this.spaceIndex.get(space);
      if (watchers) watchers.add(entry);
      else this.spaceIndex.set(space, new Set([entry]));
    }
  }

  /** Idempotent: an entry evicted by a broadcast may be unregistered again by its connection. */
  private remove(entry: Entry): void {
    if (!this.entries.delete(entry.id)) return;
    for (const space of entry.spaces ?? []) this.dropWatcher(this.spaceIndex, space, entry);
    this.dropWatcher(this.mailboxIndex, entry.mailboxId, entry);
  }

  private dropWatcher(index: Map<string, Set<Entry>>, key: string, entry: Entry): void {
    const watchers = index.get(key);
    if (!watchers) return;
    watchers.delete(entry);
    if (watchers.size === 0) index.delete(key);
  }
}
