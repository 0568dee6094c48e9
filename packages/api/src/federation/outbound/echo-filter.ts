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
