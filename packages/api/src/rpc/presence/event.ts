/** EVENT-1 `event.send`: an ephemeral message to the space's other subscribers, never stored or answered. */
import { canonicalSpaceId, WsEventSendParamsCodec } from '@less-sync/core';
import { EVENT_METHOD, eventNotice } from '../../notify/event.js';
import { type ClientNotificationRoute, defineNotification } from '../method.js';
import type { ApiServices } from '../services.js';

/** Largest `data` an event may carry. */
export const MAX_EVENT_DATA_BYTES = 4096;

/**
 * Ignored silently when the space is empty or not subscribed on this connection, or `data` is over
 * 4096 bytes. Otherwise the others get `event {space, peer, data}`, `peer` being the sender's presence
 * pseudonym in that space (no presence entry needed).
 */
export function eventSendNotification(s: ApiServices): ClientNotificationRoute {
  return defineNotification(WsEventSendParamsCodec, async (params, ctx) => {
    if (params.space === '' || params.data.length > MAX_EVENT_DATA_BYTES) return;
    if (!ctx.connection.isSubscribed(params.space)) return;
    const space = canonicalSpaceId(params.space) ?? params.space;
    const peer = s.presence.pseudonym(ctx.connectionId, space);
    await ctx.connection.publish(space, EVENT_METHOD, eventNotice(space, peer, params.data));
  });
}
