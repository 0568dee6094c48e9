/** The `event` notification (EVENT-1, RT-2): an ephemeral, unstored message to the other subscribers. */
import { type FrameBody, Payload, WsEventDataCodec } from '@less-sync/core';

export const EVENT_METHOD = 'event';

/** `{space, peer, data}`: `peer` is the sender's presence pseudonym in that space. */
export function eventNotice(space: string, peer: string, data: Uint8Array): FrameBody {
  return Payload.of(WsEventDataCodec, { space, peer, data });
}
