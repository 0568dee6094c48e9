import { spaceKey } from '../broker/space-key.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { derivePseudonym, newPseudonymSecret } from './pseudonym.js';

/** PRESENCE-1, PRESENCE-5, PRESENCE-6 limits. */
export interface PresenceConfig {
  /** Entries per space; only a new peer is refused at the cap (default 100). */
  maxPeersPerSpace: number;
  /** An entry not refreshed for longer than this is swept (default 45 s). */
  staleAfterMs: number;
  /** Largest `data` a presence.set may store (default 1024 bytes). */
  maxDataBytes: number;
  /** How often the app should call {@link PresenceRegistry.sweepStale} (default 15 s; informative). */
  sweepIntervalMs: number;
}

/** Bound on spaces with mirrored peers (memory stays bounded whatever other instances send). */
const MAX_MIRRORED_SPACES = 100_000;

export const DEFAULT_PRESENCE_CONFIG: Readonly<PresenceConfig> = Object.freeze({
  maxPeersPerSpace: 100,
  staleAfterMs: 45_000,
  maxDataBytes: 1024,
  sweepIntervalMs: 15_000,
});

/** A peer as other subscribers see it: pseudonym, never the connection id. */
export interface PresencePeer {
  peer: string;
  data: Uint8Array;
}

/** A `presence.leave {space, peer}` the caller must broadcast. */
export interface PresenceLeave {
  space: string;
  peer: string;
}

export type PresenceSetOutcome =
  | { stored: true; space: string; peer: string }
  | { stored: false; reason: 'empty_space' | 'too_large' | 'space_full' };

interface Entry {
  data: Uint8Array;
  lastSeen: number;
}

/** A peer of another instance, learned from its `presence` broadcasts (keyed by pseudonym). */
interface Mirrored extends Entry {
  readonly origin: string;
}

export interface PresenceRegistryOptions {
  config?: Partial<PresenceConfig>;
  /** 32 bytes; random per process by default, so pseudonyms change across restarts. */
  secret?: Uint8Array;
  clock?: Pick<Clock, 'now'>;
}

/**
 * Process-wide presence (PRESENCE-4..7): space → connection id → {data, lastSeen}, plus a reverse index so
 * a disconnect finds its spaces without scanning all of them. Space keys are canonical (R5).
 */
export class PresenceRegistry {
  readonly config: Readonly<PresenceConfig>;
  private readonly secret: Uint8Array;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly spaces = new Map<string, Map<string, Entry>>();
  private readonly byConnection = new Map<string, Set<string>>();
  private readonly mirrored = new Map<string, Map<string, Mirrored>>();

  constructor(options: PresenceRegistryOptions = {}) {
    this.config = Object.freeze({ ...DEFAULT_PRESENCE_CONFIG, ...options.config });
    this.secret = options.secret ?? newPseudonymSecret();
    this.clock = options.clock ?? systemClock;
  }

  pseudonym(connectionId: string, space: string): string {
    return derivePseudonym(this.secret, connectionId, spaceKey(space));
  }

  /** Store or refresh a connection's entry. Only a new peer is refused at the per-space cap. */
  set(rawSpace: string, connectionId: string, data: Uint8Array): PresenceSetOutcome {
    if (rawSpace === '') return { stored: false, reason: 'empty_space' };
    if (data.byteLength > this.config.maxDataBytes) return { stored: false, reason: 'too_large' };
    const space = spaceKey(rawSpace);
    let peers = this.spaces.get(space);
    const existing = peers?.get(connectionId);
    if (existing) {
      existing.data = data;
      existing.lastSeen = this.clock.now();
    } else {
      if ((peers?.size ?? 0) >= this.config.maxPeersPerSpace) return { stored: false, reason: 'space_full' };
      if (!peers) {
        peers = new Map();
        this.spaces.set(space, peers);
      }
      peers.set(connectionId, { data, lastSeen: this.clock.now() });
      const own = this.byConnection.get(connectionId);
      if (own) own.add(space);
      else this.byConnection.set(connectionId, new Set([space]));
    }
    return { stored: true, space, peer: this.pseudonym(connectionId, space) };
  }

  /** Every entry of a space except the caller's, as pseudonyms (PRESENCE-3). */
  peers(rawSpace: string, excludeConnectionId: string): PresencePeer[] {
    const space = spaceKey(rawSpace);
    const out: PresencePeer[] = [];
    // No local entry must not hide peers mirrored from other instances.
    for (const [connectionId, entry] of this.spaces.get(space) ?? []) {
      if (connectionId === excludeConnectionId) continue;
      out.push({ peer: derivePseudonym(this.secret, connectionId, space), data: entry.data });
    }
    for (const [peer, entry] of this.mirrored.get(space) ?? []) out.push({ peer, data: entry.data });
    return out;
  }

  /** Remove one entry; returns the leave to broadcast, or undefined when there was none (PRESENCE-2). */
  clear(rawSpace: string, connectionId: string): PresenceLeave | undefined {
    const space = spaceKey(rawSpace);
    if (!this.removeEntry(space, connectionId)) return undefined;
    const own = this.byConnection.get(connectionId);
    own?.delete(space);
    if (own?.size === 0) this.byConnection.delete(connectionId);
    return { space, peer: derivePseudonym(this.secret, connectionId, space) };
  }

  /** Remove every entry of a connection; leaves sorted by space (PRESENCE-5, PRESENCE-7). */
  clearConnection(connectionId: string): PresenceLeave[] {
    const own = this.byConnection.get(connectionId);
    if (!own) return [];
    this.byConnection.delete(connectionId);
    const spaces = [...own].sort();
    for (const space of spaces) this.removeEntry(space, connectionId);
    return spaces.map((space) => ({ space, peer: derivePseudonym(this.secret, connectionId, space) }));
  }

  /**
   * Drop entries whose last refresh is older than the TTL (PRESENCE-6). The caller broadcasts each leave
   * to all subscribers of the space (nobody excluded).
   */
  sweepStale(): PresenceLeave[] {
    const cutoff = this.clock.now() - this.config.staleAfterMs;
    const leaves: PresenceLeave[] = [];
    for (const [space, peers] of this.spaces) {
      for (const [connectionId, entry] of peers) {
        if (entry.lastSeen >= cutoff) continue;
        peers.delete(connectionId);
        const own = this.byConnection.get(connectionId);
        own?.delete(space);
        if (own?.size === 0) this.byConnection.delete(connectionId);
        leaves.push({ space, peer: derivePseudonym(this.secret, connectionId, space) });
      }
      if (peers.size === 0) this.spaces.delete(space);
    }
    for (const [space, peers] of this.mirrored) {
      for (const [peer, entry] of peers) {
        if (entry.lastSeen >= cutoff) continue;
        peers.delete(peer);
        leaves.push({ space, peer });
      }
      if (peers.size === 0) this.mirrored.delete(space);
    }
    return leaves;
  }

  /**
   * Store or refresh a peer of another instance (its pseudonym, computed there with the shared secret).
   * It expires like a local entry, and all of an instance's peers go when that instance is gone.
   */
  mirror(rawSpace: string, peer: string, data: Uint8Array, origin: string): void {
    const space = spaceKey(rawSpace);
    let peers = this.mirrored.get(space);
    if (peers === undefined) {
      if (this.mirrored.size >= MAX_MIRRORED_SPACES) return;
      peers = new Map();
      this.mirrored.set(space, peers);
    }
    if (!peers.has(peer) && peers.size >= this.config.maxPeersPerSpace) return;
    peers.set(peer, { data: data.slice(), lastSeen: this.clock.now(), origin });
  }

  /** Instances that have mirrored peers here. */
  mirrorOrigins(): Set<string> {
    const origins = new Set<string>();
    for (const peers of this.mirrored.values()) for (const entry of peers.values()) origins.add(entry.origin);
    return origins;
  }

  /** A remote peer left (its `presence.leave` arrived). */
  unmirror(rawSpace: string, peer: string): void {
    const space = spaceKey(rawSpace);
    const peers = this.mirrored.get(space);
    if (!peers?.delete(peer)) return;
    if (peers.size === 0) this.mirrored.delete(space);
  }

  /** Every mirrored peer of a dead instance; the caller tells local subscribers (PRESENCE-6 across instances). */
  dropOrigin(origin: string): PresenceLeave[] {
    const leaves: PresenceLeave[] = [];
    for (const [space, peers] of this.mirrored) {
      for (const [peer, entry] of peers) {
        if (entry.origin !== origin) continue;
        peers.delete(peer);
        leaves.push({ space, peer });
      }
      if (peers.size === 0) this.mirrored.delete(space);
    }
    return leaves;
  }

  /** Number of spaces with at least one entry. */
  get spaceCount(): number {
    return this.spaces.size;
  }

  private removeEntry(space: string, connectionId: string): boolean {
    const peers = this.spaces.get(space);
    if (!peers?.delete(connectionId)) return false;
    if (peers.size === 0) this.spaces.delete(space);
    return true;
  }
}
