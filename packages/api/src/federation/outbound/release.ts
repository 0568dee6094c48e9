import type { ApiServices } from '../../rpc/services.js';

/**
 * A local connection left remote spaces (unsubscribe, or closed when `spaces` is omitted): spaces no local
 * client needs any more are unsubscribed at their home server too (B7 fixed).
 */
export function releaseRemote(s: ApiServices, connectionId: string, spaces?: readonly string[]): void {
  for (const released of s.remote.remove(connectionId, spaces)) {
    try {
      s.deps.federation?.unsubscribe?.(released.peer, released.spaces);
    } catch (err) {
      s.logger.warn({ err, peer: released.peer.domain }, 'forwarding unsubscribe failed');
    }
  }
}
