/** What a UCAN subscribe proved, remembered so a later FST renewal can re-check it (B13). */
interface Remembered {
  readonly cids: readonly string[];
  /** Unix seconds; past it the FST minted from this grant cannot verify anyway. */
  readonly expiresAt: number;
}

/** Bound on remembered grants; the oldest is forgotten first. */
export const DEFAULT_FST_GRANT_CAPACITY = 100_000;

/**
 * B13: an FST carries no chain, so the home server remembers, per (peer, space), the UCAN chain its
 * token was first minted from. Renewals check those CIDs against the revocation list. Bounded, in
 * memory; a token minted before a restart has no entry and is then checked only for the space's
 * existence (documented limitation).
 */
export class FstGrantMemory {
  private readonly entries = new Map<string, Remembered>();

  constructor(private readonly capacity = DEFAULT_FST_GRANT_CAPACITY) {}

  remember(peerDomain: string, space: string, cids: readonly string[], expiresAt: number): void {
    const k = `${peerDomain}\u0000${space}`;
    this.entries.delete(k);
    this.entries.set(k, { cids, expiresAt });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** The chain behind the peer's token for a space, if still remembered and not past its expiry. */
  lookup(peerDomain: string, space: string, nowSeconds: number): readonly string[] | undefined {
    const k = `${peerDomain}\u0000${space}`;
    const found = this.entries.get(k);
    if (found === undefined) return undefined;
    if (found.expiresAt < nowSeconds) {
      this.entries.delete(k);
      return undefined;
    }
    return found.cids;
  }

  get size(): number {
    return this.entries.size;
  }
}
