import type { WireValue } from '@less-sync/core';

/**
 * R28: a push forwarded for local connection C comes back from the home server as `sync` (and `file`)
 * notifications at the push's cursor; they must reach the origin's other subscribers but not C. The
 * answer to the push is recorded here before the notifications can be read (same socket, later frames).
 * Bounded in size and age.
 */
export class EchoFilter {
  private readonly entries = new Map<string, { readonly connectionId: string; readonly at: number }>();

  constructor(
    private readonly maxEntries = 4096,
    private readonly ttlMs = 60_000,
  ) {}

  record(space: string, cursor: number, connectionId: string, now: number): void {
    const key = `${space}\u0000${cursor}`;
    this.entries.delete(key);
    this.entries.set(key, { connectionId, at: now });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** The connection to leave out of a notification at (space, cursor), if it echoes its own push. */
  pusher(space: string, cursor: number, now: number): string | undefined {
    const key = `${space}\u0000${cursor}`;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.connectionId;
  }
}

export interface HeldNotification {
  readonly domain: string;
  readonly method: string;
  readonly params: WireValue | undefined;
}

/**
 * While a push to (peer, space) awaits its answer, that space's notifications wait here, in order, so
 * the echo of the push is recognised whichever frame the home sent first. Bounded: past `max` held
 * notifications a space is delivered as it comes.
 */
export class HeldNotifications {
  private readonly spaces = new Map<string, { pushes: number; queue: HeldNotification[] }>();

  constructor(private readonly max = 1000) {}

  /** Start holding; the returned function ends it and hands back what is to be delivered now. */
  hold(domain: string, space: string): () => HeldNotification[] {
    const k = `${domain}\u0000${space}`;
    let entry = this.spaces.get(k);
    if (entry === undefined) {
      entry = { pushes: 0, queue: [] };
      this.spaces.set(k, entry);
    }
    entry.pushes++;
    let done = false;
    return () => {
      const e = this.spaces.get(k);
      if (done || e === undefined) return [];
      done = true;
      e.pushes--;
      if (e.pushes > 0) return [];
      this.spaces.delete(k);
      return e.queue;
    };
  }

  /** True when the notification was taken (a push to that space is in flight). */
  offer(domain: string, space: string, n: HeldNotification): boolean {
    const entry = this.spaces.get(`${domain}\u0000${space}`);
    if (entry === undefined || entry.queue.length >= this.max) return false;
    entry.queue.push(n);
    return true;
  }
}
