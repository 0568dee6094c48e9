/**
 * The spaces each live peer socket holds against its peer's space quota (FED-QUOTA-03). Kept here rather
 * than read from the socket's subscriptions because teardown clears those before the release runs, and a
 * revocation removes a subscription without the peer asking: the charge is returned when the peer
 * unsubscribes or the socket ends.
 */
export class PeerSpaceLedger {
  private readonly held = new Map<string, Set<string>>();

  open(connectionId: string): void {
    if (!this.held.has(connectionId)) this.held.set(connectionId, new Set());
  }

  /** Undefined once the socket has ended. */
  get(connectionId: string): Set<string> | undefined {
    return this.held.get(connectionId);
  }

  /** Forget the socket; resolves to how many spaces it still held. */
  close(connectionId: string): number {
    const spaces = this.held.get(connectionId);
    this.held.delete(connectionId);
    return spaces?.size ?? 0;
  }
}
