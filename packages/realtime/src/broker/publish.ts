import { encodeNotification, type FrameBody } from '@less-sync/core';
import type { Broker } from './types.js';

/**
 * Encode `{type:2, method, params}` once and fan the same bytes out to a space (RT-1). `excludeId` is the
 * sending connection's id; broadcasts from outside a connection (HTTP uploads, the presence sweep) pass
 * the default `''` and exclude nobody.
 */
export function publishToSpace(
  broker: Broker,
  space: string,
  method: string,
  params: FrameBody,
  excludeId = '',
): Promise<number> {
  return broker.broadcastSpace(space, excludeId, encodeNotification(method, params));
}

/** Encode once and send to every connection of a mailbox (BROKER-08; the `invitation` notification). */
export function publishToMailbox(
  broker: Broker,
  mailboxId: string,
  method: string,
  params: FrameBody,
): Promise<number> {
  return broker.broadcastMailbox(mailboxId, encodeNotification(method, params));
}
