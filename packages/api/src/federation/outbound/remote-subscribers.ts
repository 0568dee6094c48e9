import { canonicalSpaceId, type WsSubscribeSpace } from '@less-sync/core';
import type { ConnectionIdentity, RealtimeConnection } from '@less-sync/realtime';
import type { PeerTarget } from '../../deps.js';
import { peerHost, type RebroadcastGate } from '../inbound/gate.js';

type Connection = RealtimeConnection<ConnectionIdentity>;

/** One local client subscribed to a remote space, and the entry its subscribe was forwarded with. */
export interface RemoteSubscriber {
  readonly connection: Connection;
  readonly entry: WsSubscribeSpace;
}

interface Group {
  readonly peer: PeerTarget;
  readonly space: string;
  readonly members: Map<string, RemoteSubscriber>;
}

/** (peer, space) pairs that lost their last local subscriber: the home can be told. */
export interface Released {
  readonly peer: PeerTarget;
  readonly spaces: string[];
}

const key = (domain: string, space: string): string => `${domain}\u0000${space}`;

/**
 * The origin's record of which local connections subscribed to which remote space through which peer
 * (R17): it gates what a home server may make us deliver, says whom to deliver it to, and when the last
 * subscriber leaves, that the home can be told (`unsubscribe`). It is also the inbound re-broadcast gate.
 */
export class RemoteSubscribers implements RebroadcastGate {
  private readonly groups = new Map<string, Group>();
  private readonly byConnection = new Map<string, Set<string>>();
  /** Inbound peer identities drop the port (B16): count by host for the gate. */
  private readonly hosts = new Map<string, number>();

  add(peer: PeerTarget, rawSpace: string, connection: Connection, entry: WsSubscribeSpace): void {
    const space = canonicalSpaceId(rawSpace) ?? rawSpace;
    const k = key(peer.domain, space);
    let group = this.groups.get(k);
    if (group === undefined) {
      group = { peer, space, members: new Map() };
      this.groups.set(k, group);
      const h = key(peerHost(peer.domain), space);
      this.hosts.set(h, (this.hosts.get(h) ?? 0) + 1);
    }
    group.members.set(connection.id, { connection, entry });
    let keys = this.byConnection.get(connection.id);
    if (keys === undefined) {
      keys = new Set();
      this.byConnection.set(connection.id, keys);
    }
    keys.add(k);
  }

  /** Local subscribers of a remote space, as subscribed through `peerDomain` (outbound form). */
  subscribers(peerDomain: string, rawSpace: string): RemoteSubscriber[] {
    const group = this.groups.get(key(peerDomain, canonicalSpaceId(rawSpace) ?? rawSpace));
    return group === undefined ? [] : [...group.members.values()];
  }

  /** The peer target a space was subscribed through (its URL as derived then). */
  peerOf(peerDomain: string, rawSpace: string): PeerTarget | undefined {
    return this.groups.get(key(peerDomain, canonicalSpaceId(rawSpace) ?? rawSpace))?.peer;
  }

  has(peerDomain: string, rawSpace: string): boolean {
    return this.groups.has(key(peerDomain, canonicalSpaceId(rawSpace) ?? rawSpace));
  }

  subscribedThrough(peerDomain: string, space: string): boolean {
    return this.hosts.has(key(peerHost(peerDomain), canonicalSpaceId(space) ?? space));
  }

  /** Drop the connection from the listed spaces (all of them when `spaces` is omitted). */
  remove(connectionId: string, spaces?: readonly string[]): Released[] {
    const keys = this.byConnection.get(connectionId);
    if (keys === undefined) return [];
    const wanted = spaces === undefined ? undefined : new Set(spaces.map((s) => canonicalSpaceId(s) ?? s));
    const released = new Map<string, Released>();
    for (const k of [...keys]) {
      const group = this.groups.get(k);
      if (group === undefined || (wanted !== undefined && !wanted.has(group.space))) continue;
      keys.delete(k);
      group.members.delete(connectionId);
      if (group.members.size > 0) continue;
      this.groups.delete(k);
      const h = key(peerHost(group.peer.domain), group.space);
      const n = (this.hosts.get(h) ?? 1) - 1;
      if (n > 0) this.hosts.set(h, n);
      else this.hosts.delete(h);
      let r = released.get(group.peer.domain);
      if (r === undefined) {
        r = { peer: group.peer, spaces: [] };
        released.set(group.peer.domain, r);
      }
      r.spaces.push(group.space);
    }
    if (keys.size === 0) this.byConnection.delete(connectionId);
    return [...released.values()];
  }
}
