import {
  type FederationInvitationParams,
  FederationInvitationResultCodec,
  Payload,
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import { validateInvitationInput } from '../../rpc/invitation/validate.js';
import type { FederationContext, PeerRequestContext } from './context.js';

const utf8 = new TextEncoder();

/**
 * FED-RPC-07: validate (free), charge the hourly invitation budget, store for the mailbox, and tell the
 * mailbox after the usual random delay.
 */
export async function federationInvitation(
  f: FederationContext,
  params: FederationInvitationParams,
  ctx: PeerRequestContext,
): Promise<Payload> {
  validateInvitationInput(params.mailbox_id, params.payload);
  const { peerDomain } = ctx.identity;
  if (!(await f.quota.tryAddInvitation(peerDomain))) {
    f.metrics.quotaRejected?.('invitations');
    f.s.logger.warn({ peer: peerDomain }, 'federation invitation quota exceeded');
    throw new RpcError(RpcErrorCode.RateLimited, 'invitation quota exceeded');
  }
  try {
    await f.s.storage.createInvitation({
      mailboxId: params.mailbox_id,
      payload: utf8.encode(params.payload),
    });
  } catch (err) {
    f.s.logger.error({ err, peer: peerDomain }, 'federation invitation could not be stored');
    throw new RpcError(RpcErrorCode.Internal, 'internal error');
  }
  f.s.invitations.schedule(params.mailbox_id);
  return Payload.of(FederationInvitationResultCodec, { ok: true });
}
