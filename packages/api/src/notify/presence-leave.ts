/** The `presence.leave` notification (PRESENCE-2, PRESENCE-7, RT-2): a peer's presence entry is gone. */
import { type FrameBody, Payload, WsPresenceLeaveDataCodec } from '@less-sync/core';

export const PRESENCE_LEAVE_METHOD = 'presence.leave';

/** `{space, peer}` with the same pseudonym the peers saw in `presence`. */
export function presenceLeaveNotice(space: string, peer: string): FrameBody {
  return Payload.of(WsPresenceLeaveDataCodec, { space, peer });
}
