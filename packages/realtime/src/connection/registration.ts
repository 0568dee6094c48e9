import { isBrokerError } from '../broker/errors.js';
import { spaceKey } from '../broker/space-key.js';
import type { Broker, Subscriber, SubscriberId } from '../broker/types.js';

/** Evicted by a broadcast: the broker no longer knows the subscriber, which is fine while it closes. */
function ignoreNotFound(err: unknown): void {
  if (!isBrokerError(err, 'subscriber_not_found')) throw err;
}

/**
 * One connection's broker registration and the canonical spaces it is subscribed to (WS-CONN-1,
 * RPC-SUB-3, R5). Keeping the set here lets add/remove report what really changed.
 */
const NONE: ReadonlySet<string> = new Set();

export class BrokerRegistration {
  /** Created on the first subscription: an idle connection holds none. */
  private set: Set<string> | undefined;
  private id: SubscriberId | undefined;

  constructor(private readonly broker: Broker) {}

  get spaces(): ReadonlySet<string> {
    return this.set ?? NONE;
  }

  /** Rejects with BrokerError `too_many_connections` over the mailbox limit. */
  async register(subscriber: Subscriber): Promise<void> {
    this.id = await this.broker.register(subscriber, this.set ?? []);
  }

  async add(spaces: Iterable<string>): Promise<string[]> {
    const added: string[] = [];
    for (const raw of spaces) {
      const space = spaceKey(raw);
      this.set ??= new Set();
      if (this.set.has(space)) continue;
      this.set.add(space);
      added.push(space);
    }
    if (added.length > 0 && this.id !== undefined)
      await this.broker.addSpaces(this.id, added).catch(ignoreNotFound);
    return added;
  }

  async remove(spaces: Iterable<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const raw of spaces) {
      const space = spaceKey(raw);
      if (this.set?.delete(space)) removed.push(space);
    }
    if (removed.length > 0 && this.id !== undefined) {
      await this.broker.removeSpaces(this.id, removed).catch(ignoreNotFound);
    }
    return removed;
  }

  has(space: string): boolean {
    return this.set?.has(spaceKey(space)) ?? false;
  }

  /** Unregister and forget every space. Idempotent. */
  async release(): Promise<void> {
    const id = this.id;
    this.id = undefined;
    this.set = undefined;
    if (id !== undefined) await this.broker.unregister(id).catch(ignoreNotFound);
  }
}
