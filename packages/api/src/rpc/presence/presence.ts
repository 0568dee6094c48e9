/** PRESENCE-1 `presence.set` and PRESENCE-2 `presence.clear`: client notifications, never answered. */
import { WsPresenceClearParamsCodec, WsPresenceSetParamsCodec } from '@less-sync/core';
import { PRESENCE_METHOD, presenceNotice } from '../../notify/presence.js';
import { PRESENCE_LEAVE_METHOD, presenceLeaveNotice } from '../../notify/presence-leave.js';
import { type ClientNotificationRoute, defineNotification } from '../method.js';
import type { ApiServices } from '../services.js';

/**
 * Ignored silently unless the space is non-empty and subscribed on this connection, the data fits the
 * registry's limit (1024 bytes) and the space is under its peer cap (updates always fit). Every accepted
 * set is broadcast to the other subscribers as `presence {space, peer, data}`.
 */
export function presenceSetNotification(s: ApiServices): ClientNotificationRoute {
  return defineNotification(WsPresenceSetParamsCodec, async (params, ctx) => {
    if (params.space === '' || !ctx.connection.isSubscribed(params.space)) return;
    // Own copy: the decoded bytes are a view into the whole inbound message, which must not be kept alive.
    const data = params.data.slice();
    const outcome = s.presence.set(params.space, ctx.connectionId, data);
    if (!outcome.stored) return;
    await ctx.connection.publish(
      outcome.space,
      PRESENCE_METHOD,
      presenceNotice(outcome.space, outcome.peer, data),
    );
  });
}

/** Removes this connection's entry in a subscribed space; the others get `presence.leave` if there was one. */
export function presenceClearNotification(s: ApiServices): ClientNotificationRoute {
  return defineNotification(WsPresenceClearParamsCodec, async (params, ctx) => {
    if (params.space === '' || !ctx.connection.isSubscribed(params.space)) return;
    const leave = s.presence.clear(params.space, ctx.connectionId);
    if (leave === undefined) return;
    await ctx.connection.publish(
      leave.space,
      PRESENCE_LEAVE_METHOD,
      presenceLeaveNotice(leave.space, leave.peer),
    );
  });
}
