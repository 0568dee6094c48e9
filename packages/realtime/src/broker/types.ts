/**
 * The broker contract (BROKER-03..08, RT-1). Small on purpose: a multi-instance backend (Redis, NATS)
 * implements the same interface, keeps local subscribers in memory and relays payload bytes between
 * instances, without any caller changing. Every method returns a promise; always await it.
 */

/** Opaque id of one registration. Allocated from 1 upwards and never reused (BROKER-03). */
export type SubscriberId = number & { readonly __subscriberId: unique symbol };

/** One local receiver of fan-out, normally a WebSocket connection (BROKER-10). */
export interface Subscriber {
  /**
   * Hand over an encoded frame without blocking. `false` means "cannot take it" (queue full or gone): the
   * broker then evicts the subscriber, and the subscriber is expected to close itself (R7, 4006).
   * The same bytes are passed to every recipient: never mutate them.
   */
  send(payload: Uint8Array): boolean;
  /** Connection id used for sender exclusion. */
  readonly excludeId: string;
  /** Key of the per-mailbox connection limit and of mailbox fan-out. */
  readonly mailboxId: string;
  isClosed(): boolean;
}

export interface Broker {
  /** Register and subscribe to `spaces`. Rejects with BrokerError `too_many_connections` over the limit. */
  register(subscriber: Subscriber, spaces?: Iterable<string>): Promise<SubscriberId>;
  /** Remove from every index and free the mailbox slot. Rejects with `subscriber_not_found` if unknown. */
  unregister(id: SubscriberId): Promise<void>;
  addSpaces(id: SubscriberId, spaces: Iterable<string>): Promise<void>;
  removeSpaces(id: SubscriberId, spaces: Iterable<string>): Promise<void>;
  /**
   * Send `payload` to every live subscriber of `space` except the one whose excludeId equals `excludeId`
   * (pass `''` to exclude nobody). Closed or full subscribers are evicted. Resolves to the local delivered count.
   */
  broadcastSpace(space: string, excludeId: string, payload: Uint8Array): Promise<number>;
  /**
   * False only when a broadcast to `space` excluding `excludeId` would certainly reach nobody: no other
   * local subscriber and no other instance to relay to. Lets a publisher skip building a frame that
   * nobody would read (a single-device user's push); true whenever in doubt.
   */
  hasAudience(space: string, excludeId: string): boolean;
  /** Send `payload` to every connection of a mailbox (no exclusion). */
  broadcastMailbox(mailboxId: string, payload: Uint8Array): Promise<number>;
  /** Current number of registered connections of a mailbox. */
  connectionCount(mailboxId: string): Promise<number>;
}
