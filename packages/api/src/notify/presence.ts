/** The `presence` notification (PRESENCE-1, RT-2): a peer set or refreshed its presence data. */
import { type FrameBody, Payload, WsPresenceDataCodec } from '@less-sync/core';

export const PRESENCE_METHOD = 'presence';

/** `{space, peer, data}`: `peer` is the pseudonym, never the connection id (PRESENCE-4). */
export function presenceNotice(space: string, peer: string, data: Uint8Array): FrameBody {
  return Payload.of(WsPresenceDataCodec, { space, peer, data });
}
