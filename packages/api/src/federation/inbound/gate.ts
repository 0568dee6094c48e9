import { canonicalizeDomain } from '@less-sync/auth';

/**
 * R17 (inbound half): decides whether a peer may re-broadcast a notification for a space to local
 * watchers. The origin side records, per peer, the spaces local clients subscribed to through it.
 */
export interface RebroadcastGate {
  /** True when local clients subscribed to `space` (canonical) through `peerDomain` (inbound form). */
  subscribedThrough(peerDomain: string, space: string): boolean;
}

/**
 * The host of a canonical domain, port dropped, as inbound peer identities are spelled (FED-WS-04): an
 * outbound `home_server` such as `http://127.0.0.1:5379` names peer `127.0.0.1`.
 */
export function peerHost(domain: string): string {
  const canonical = canonicalizeDomain(domain);
  if (canonical.startsWith('[')) {
    const end = canonical.indexOf(']');
    return end < 0 ? canonical.slice(1) : canonical.slice(1, end);
  }
  const colon = canonical.indexOf(':');
  // More than one colon: a bare IPv6 address, no port to drop.
  if (colon >= 0 && canonical.indexOf(':', colon + 1) < 0) return canonical.slice(0, colon);
  return canonical;
}

/**
 * Reference-counted (peer, space) pairs: the origin side calls `add` when it forwards a local client's
 * subscribe and `remove` when that client goes; nothing recorded means nothing is accepted.
 */
export class RemoteSubscriptionLedger implements RebroadcastGate {
  private readonly counts = new Map<string, number>();

  add(peerDomain: string, space: string): void {
    const k = this.key(peerDomain, space);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  remove(peerDomain: string, space: string): void {
    const k = this.key(peerDomain, space);
    const n = (this.counts.get(k) ?? 0) - 1;
    if (n > 0) this.counts.set(k, n);
    else this.counts.delete(k);
  }

  subscribedThrough(peerDomain: string, space: string): boolean {
    return this.counts.has(this.key(peerDomain, space));
  }

  private key(peerDomain: string, space: string): string {
    return `${peerHost(peerDomain)}\u0000${space.toLowerCase()}`;
  }
}
