import { canonicalSpaceId, Payload, WsPresenceLeaveDataCodec } from '@less-sync/core';
import type { ConnectionIdentity, PresenceRegistry, RealtimeConnection } from '@less-sync/realtime';
import type { ApiLogger } from '../deps.js';
import { revokedPayload } from '../notify/revoked.js';

/** Client and federation peer connections alike: revocations end both (R8). */
type ClientConnection = RealtimeConnection<ConnectionIdentity>;

/** What a subscription was granted with: the CIDs of the UCAN chain (none for a personal space). */
export interface SpaceGrant {
  /** Canonical space id. */
  readonly space: string;
  readonly cids: readonly string[];
}

/** One live connection's subscriptions and the chains that authorized them. */
class Session {
  /** Created on the first grant: an idle connection holds no Map. */
  grants: Map<string, readonly string[]> | undefined;
  constructor(readonly connection: ClientConnection) {}
}

const key = (space: string, cid: string): string => `${space}\u0000${cid}`;
const spaceKey = (space: string): string => canonicalSpaceId(space) ?? space;

/**
 * Every live client session, indexed by (space, UCAN CID) so a revocation finds every subscription that
 * rests on a revoked token (or on any proof in its chain) at once and ends it (R8).
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly byCid = new Map<string, Set<Session>>();

  constructor(
    private readonly presence: PresenceRegistry | undefined,
    private readonly logger: ApiLogger,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  open(connection: ClientConnection): void {
    if (!this.sessions.has(connection.id)) this.sessions.set(connection.id, new Session(connection));
  }

  close(connectionId: string): void {
    const session = this.sessions.get(connectionId);
    if (session === undefined) return;
    this.sessions.delete(connectionId);
    for (const [space, cids] of session.grants ?? []) this.unindex(session, space, cids);
    session.grants = undefined;
  }

  /** Canonical spaces this connection holds grants for (tests, diagnostics). */
  grants(connectionId: string): ReadonlyMap<string, readonly string[]> {
    return this.sessions.get(connectionId)?.grants ?? new Map();
  }

  /** Subscribe the connection to the granted spaces (a re-subscribe replaces the grant's chain). */
  async subscribe(connection: ClientConnection, grants: readonly SpaceGrant[]): Promise<void> {
    if (grants.length === 0) return;
    let session = this.sessions.get(connection.id);
    if (session === undefined) {
      // Only a live connection gets a session; a closed one must not leak an entry.
      if (connection.state !== 'open') return;
      session = new Session(connection);
      this.sessions.set(connection.id, session);
    }
    session.grants ??= new Map();
    for (const grant of grants) {
      const previous = session.grants.get(grant.space);
      if (previous !== undefined) this.unindex(session, grant.space, previous);
      session.grants.set(grant.space, grant.cids);
      for (const cid of grant.cids) {
        const k = key(grant.space, cid);
        let set = this.byCid.get(k);
        if (set === undefined) {
          set = new Set();
          this.byCid.set(k, set);
        }
        set.add(session);
      }
    }
    await connection.subscribe(grants.map((g) => g.space));
  }

  /** Drop spaces (any spelling) from the connection; resolves to the canonical ids actually removed. */
  async unsubscribe(connection: ClientConnection, spaces: readonly string[]): Promise<string[]> {
    const session = this.sessions.get(connection.id);
    if (session !== undefined) {
      for (const raw of spaces) {
        const space = spaceKey(raw);
        const cids = session.grants?.get(space);
        if (cids === undefined) continue;
        session.grants?.delete(space);
        this.unindex(session, space, cids);
      }
    }
    return connection.unsubscribe(spaces);
  }

  /**
   * R8: end every subscription to `space` whose chain contains `cid`. Each affected connection is
   * unsubscribed at once (no further broadcasts reach it), loses its presence in the space, and is sent
   * `revoked {space, reason}`. Resolves to the number of subscriptions ended.
   */
  async revoke(space: string, cid: string, reason = 'ucan_revoked'): Promise<number> {
    const canonical = spaceKey(space);
    const affected = this.byCid.get(key(canonical, cid));
    if (affected === undefined) return 0;
    const sessions = [...affected];
    for (const session of sessions) {
      const cids = session.grants?.get(canonical);
      if (cids !== undefined) this.unindex(session, canonical, cids);
      session.grants?.delete(canonical);
    }
    await Promise.all(sessions.map((session) => this.endSubscription(session.connection, canonical, reason)));
    return sessions.length;
  }

  private async endSubscription(connection: ClientConnection, space: string, reason: string): Promise<void> {
    try {
      await connection.unsubscribe([space]);
      const leave = this.presence?.clear(space, connection.id);
      if (leave !== undefined) {
        await connection.publish(space, 'presence.leave', Payload.of(WsPresenceLeaveDataCodec, leave));
      }
    } catch (err) {
      this.logger.warn({ err, space, connectionId: connection.id }, 'ending a revoked subscription failed');
    }
    // Told without blocking the revoker: a stalled reader must not hold up the others.
    connection.notify('revoked', revokedPayload(space, reason)).catch(() => {
      // The connection closed meanwhile: nothing left to tell.
    });
  }

  private unindex(session: Session, space: string, cids: readonly string[]): void {
    for (const cid of cids) {
      const k = key(space, cid);
      const set = this.byCid.get(k);
      if (set === undefined) continue;
      set.delete(session);
      if (set.size === 0) this.byCid.delete(k);
    }
  }
}
