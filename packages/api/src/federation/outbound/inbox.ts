import {
  decodeFederationNotification,
  type FederationRebroadcast,
  Payload,
  type WireValue,
  WsPresenceLeaveDataCodec,
} from '@less-sync/core';
import type { FederationInbox } from '../../deps.js';
import { revokedPayload } from '../../notify/revoked.js';
import type { ApiServices } from '../../rpc/services.js';
import { rebroadcastPayload } from '../inbound/rebroadcast.js';
import { isFederationCallError } from './errors.js';
import { releaseRemote } from './release.js';
import type { RemoteSubscriber, RemoteSubscribers } from './remote-subscribers.js';

/**
 * The origin's side of cross-server realtime (R17, R28): what a home server sends on an outbound link
 * reaches this instance's local subscribers of that space through that peer, and nobody else (not other
 * instances: each has its own link, so the broker is not used). The pusher of a forwarded change is left
 * out. A `revoked` makes every local subscriber prove its grant again at the home; those refused lose the
 * subscription and get `revoked`, as R8 requires locally.
 */
export class OriginInbox implements FederationInbox {
  constructor(
    private readonly s: ApiServices,
    private readonly remote: RemoteSubscribers,
  ) {}

  async notification(
    peerDomain: string,
    method: string,
    params: WireValue | undefined,
    exclude?: string,
  ): Promise<void> {
    let n: FederationRebroadcast | undefined;
    try {
      n = decodeFederationNotification(method, params);
    } catch (err) {
      this.s.logger.warn({ err, peer: peerDomain, method }, 'undecodable notification from home server');
      return;
    }
    if (n === undefined) return;
    if (n.method === 'sync' && n.params.records.length === 0) return;
    const subscribers = this.remote.subscribers(peerDomain, n.space);
    if (subscribers.length === 0) {
      this.s.logger.debug?.(
        { peer: peerDomain, space: n.space, method },
        'notification for no local subscriber',
      );
      return;
    }
    if (n.method === 'revoked') {
      await this.recheck(peerDomain, subscribers, n.params.reason);
      return;
    }
    let delivered = 0;
    for (const { connection, entry } of subscribers) {
      if (connection.id === exclude || connection.state !== 'open') continue;
      delivered++;
      connection.notify(n.method, rebroadcastPayload(n, entry.id)).catch(() => {
        // Closed meanwhile: its subscriptions are dropped by the close hook.
      });
    }
    this.s.metrics.notification?.(n.method, delivered);
  }

  async subscriptionLost(peerDomain: string, space: string, code: string): Promise<void> {
    const subscribers = this.remote.subscribers(peerDomain, space);
    this.s.logger.warn(
      { peer: peerDomain, space, code, subscribers: subscribers.length },
      'remote subscription lost',
    );
    await Promise.all(subscribers.map((sub) => this.end(sub, code === 'forbidden' ? 'ucan_revoked' : code)));
  }

  /** Each subscriber re-subscribes at the home with its own UCAN; a refusal ends its subscription. */
  private async recheck(
    peerDomain: string,
    subscribers: readonly RemoteSubscriber[],
    reason: string,
  ): Promise<void> {
    const federation = this.s.deps.federation;
    if (federation === undefined) return;
    for (const sub of subscribers) {
      const target = this.remote.peerOf(peerDomain, sub.entry.id);
      if (target === undefined) continue;
      try {
        const outcome = await federation.subscribe(target, [{ ...sub.entry, token: '' }]);
        if ((outcome?.errors ?? []).length === 0) continue;
      } catch (err) {
        // The home answered with an error for this grant: refused. No answer: keep it (cannot tell).
        if (!isFederationCallError(err) || err.kind !== 'remote') {
          this.s.logger.warn({ err, peer: peerDomain, space: sub.entry.id }, 'revocation re-check failed');
          continue;
        }
      }
      await this.end(sub, reason);
    }
  }

  /** R8 on the origin: unsubscribe, clear presence, tell the client `revoked`. */
  private async end(sub: RemoteSubscriber, reason: string): Promise<void> {
    const { connection, entry } = sub;
    await this.s.sessions.unsubscribe(connection, [entry.id]);
    releaseRemote(this.s, connection.id, [entry.id]);
    const leave = this.s.presence.clear(entry.id, connection.id);
    if (leave !== undefined) {
      await connection
        .publish(leave.space, 'presence.leave', Payload.of(WsPresenceLeaveDataCodec, leave))
        .catch(() => 0);
    }
    connection.notify('revoked', revokedPayload(entry.id, reason)).catch(() => {});
  }
}
