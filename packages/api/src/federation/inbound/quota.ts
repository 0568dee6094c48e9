import type { FederationPeerStatus } from '../../http/types.js';

/** FED-QUOTA-01: the five per-peer limits. */
export interface FederationQuotaLimits {
  readonly maxConnections: number;
  readonly maxSpaces: number;
  readonly maxRecordsPerHour: number;
  readonly maxBytesPerHour: number;
  readonly maxInvitationsPerHour: number;
}

/** Which limit refused a request (metrics label, log field). */
export type FederationQuotaKind = 'connections' | 'spaces' | 'records' | 'bytes' | 'invitations';

/**
 * FED-QUOTA-02..06, keyed by canonical peer domain. Every `try*` either applies its whole change or none
 * of it, atomically with respect to concurrent callers, so a peer can never exceed a limit by racing
 * itself across sockets. Async so a shared (multi-instance) implementation can stand behind the same
 * interface; the in-memory one below is per process.
 */
export interface FederationQuota {
  readonly limits: FederationQuotaLimits;
  tryAddConnection(domain: string): Promise<boolean>;
  removeConnection(domain: string): Promise<void>;
  tryAddSpaces(domain: string, count: number): Promise<boolean>;
  removeSpaces(domain: string, count: number): Promise<void>;
  /** Reserve a push of `records` changes and `bytes` blob+dek bytes; undefined when it fits, else the limit hit. */
  tryReservePush(domain: string, records: number, bytes: number): Promise<FederationQuotaKind | undefined>;
  /** Give back a reservation whose changes were not stored (B14). Never goes below zero. */
  refundPush(domain: string, records: number, bytes: number): Promise<void>;
  tryAddInvitation(domain: string): Promise<boolean>;
  /** Snapshot of one peer (entry created if absent, windows rolled). */
  peerStatus(domain: string): Promise<FederationPeerStatus>;
  allPeerStatus(): Promise<FederationPeerStatus[]>;
}

const HOUR_MS = 3_600_000;

interface Window {
  count: number;
  start: number;
}

interface PeerUsage {
  connections: number;
  spaces: number;
  records: Window;
  bytes: Window;
  invitations: Window;
}

/**
 * In-process counters (reset on restart). Lazy tumbling hourly windows: a window whose start is an hour
 * old or more is reset on the next touch. JavaScript runs each method to completion, so check-and-add
 * is atomic here without locks.
 */
export class InMemoryFederationQuota implements FederationQuota {
  private readonly peers = new Map<string, PeerUsage>();

  constructor(
    readonly limits: FederationQuotaLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async tryAddConnection(domain: string): Promise<boolean> {
    const peer = this.peer(domain);
    if (peer.connections >= this.limits.maxConnections) return false;
    peer.connections++;
    return true;
  }

  async removeConnection(domain: string): Promise<void> {
    const peer = this.peers.get(domain);
    if (peer !== undefined) peer.connections = Math.max(0, peer.connections - 1);
  }

  async tryAddSpaces(domain: string, count: number): Promise<boolean> {
    if (count <= 0) return true;
    const peer = this.peer(domain);
    if (peer.spaces + count > this.limits.maxSpaces) return false;
    peer.spaces += count;
    return true;
  }

  async removeSpaces(domain: string, count: number): Promise<void> {
    const peer = this.peers.get(domain);
    if (peer !== undefined && count > 0) peer.spaces = Math.max(0, peer.spaces - count);
  }

  async tryReservePush(
    domain: string,
    records: number,
    bytes: number,
  ): Promise<FederationQuotaKind | undefined> {
    const peer = this.rolled(domain);
    if (peer.records.count + records > this.limits.maxRecordsPerHour) return 'records';
    if (peer.bytes.count + bytes > this.limits.maxBytesPerHour) return 'bytes';
    peer.records.count += records;
    peer.bytes.count += bytes;
    return undefined;
  }

  async refundPush(domain: string, records: number, bytes: number): Promise<void> {
    const peer = this.peers.get(domain);
    if (peer === undefined) return;
    peer.records.count = Math.max(0, peer.records.count - records);
    peer.bytes.count = Math.max(0, peer.bytes.count - bytes);
  }

  async tryAddInvitation(domain: string): Promise<boolean> {
    const peer = this.rolled(domain);
    if (peer.invitations.count + 1 > this.limits.maxInvitationsPerHour) return false;
    peer.invitations.count++;
    return true;
  }

  async peerStatus(domain: string): Promise<FederationPeerStatus> {
    return this.snapshot(domain, this.rolled(domain));
  }

  async allPeerStatus(): Promise<FederationPeerStatus[]> {
    return [...this.peers.keys()].sort().map((domain) => this.snapshot(domain, this.rolled(domain)));
  }

  private snapshot(domain: string, peer: PeerUsage): FederationPeerStatus {
    return {
      domain,
      connections: peer.connections,
      spaces: peer.spaces,
      records_this_hour: peer.records.count,
      bytes_this_hour: peer.bytes.count,
      invitations_this_hour: peer.invitations.count,
    };
  }

  private peer(domain: string): PeerUsage {
    let peer = this.peers.get(domain);
    if (peer === undefined) {
      const start = this.now();
      peer = {
        connections: 0,
        spaces: 0,
        records: { count: 0, start },
        bytes: { count: 0, start },
        invitations: { count: 0, start },
      };
      this.peers.set(domain, peer);
    }
    return peer;
  }

  private rolled(domain: string): PeerUsage {
    const peer = this.peer(domain);
    const now = this.now();
    for (const window of [peer.records, peer.bytes, peer.invitations]) {
      if (now - window.start >= HOUR_MS) {
        window.count = 0;
        window.start = now;
      }
    }
    return peer;
  }
}
