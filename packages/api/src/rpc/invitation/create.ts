/** RPC-INV-1 `invitation.create` (local) and RPC-INV-2 (forwarded to a trusted peer with `server`). */
import { canonicalizeDomain } from '@less-sync/auth';
import {
  type FrameBody,
  type InvitationCreateParams,
  InvitationCreateParamsCodec,
  InvitationCreateResultCodec,
  Payload,
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import type { Invitation } from '@less-sync/storage';
import { peerTarget } from '../../authz/home-server.js';
import type { InvitationNotifier } from '../../notify/invitation.js';
import { type ClientRequestContext, type ClientRequestRoute, defineRequest } from '../method.js';
import { releasedDuring } from '../remote-call.js';
import type { ApiServices } from '../services.js';
import { consumeRateLimit, refundOnFailure, storageRpcError } from '../space-access.js';
import { invitationResult } from './format.js';
import { validateInvitationInput } from './validate.js';

const utf8 = new TextEncoder();

/**
 * RPC-INV-2: hand the invitation to the target server's federation endpoint. Without a forwarder this is
 * an error (never a silent local store); an untrusted target is refused before the forwarder is called.
 * The client's later requests do not wait for the peer's answer (B8).
 */
async function forward(
  s: ApiServices,
  trusted: ReadonlySet<string>,
  params: InvitationCreateParams,
  ctx: ClientRequestContext,
): Promise<FrameBody> {
  const federation = s.deps.federation;
  if (federation === undefined) {
    throw new RpcError(RpcErrorCode.BadRequest, 'federation is not enabled on this server');
  }
  const peer = peerTarget(params.server);
  if (!trusted.has(peer.domain)) {
    throw new RpcError(RpcErrorCode.BadRequest, 'target server is not a trusted federation peer');
  }
  try {
    const invitation = { mailboxId: params.mailbox_id, payload: params.payload };
    await releasedDuring(ctx, () => federation.forwardInvitation(peer, invitation));
  } catch (err) {
    s.logger.warn({ err, peer: peer.domain }, 'forwarded invitation failed');
    throw new RpcError(RpcErrorCode.Internal, 'failed to deliver invitation to remote server');
  }
  return Payload.of(InvitationCreateResultCodec, {
    id: 'forwarded',
    payload: params.payload,
    created_at: '',
    expires_at: '',
  });
}

async function storeLocally(
  s: ApiServices,
  ctx: ClientRequestContext,
  params: InvitationCreateParams,
): Promise<Invitation> {
  try {
    return await s.storage.createInvitation({
      mailboxId: params.mailbox_id,
      payload: utf8.encode(params.payload),
    });
  } catch (err) {
    throw storageRpcError(s, err, {}, { method: ctx.method });
  }
}

/**
 * Order: params, rate limit (before validation, so probing is not free; R12 counts atomically and a
 * failed create gives the action back), mailbox and payload checks, then forward or store. Any mailbox may
 * be the target. A local invitation expires after 7 days and its mailbox is told after a random delay.
 */
export function invitationCreateMethod(s: ApiServices, notifier: InvitationNotifier): ClientRequestRoute {
  const trusted = new Set((s.deps.config.trustedDomains ?? []).map(canonicalizeDomain));
  return defineRequest(
    InvitationCreateParamsCodec,
    'invalid invitation create params',
    async (params, ctx) => {
      const permit = await consumeRateLimit(s, ctx, 'invitationCreate');
      const outcome = await refundOnFailure(s, permit, async (): Promise<FrameBody | Invitation> => {
        validateInvitationInput(params.mailbox_id, params.payload);
        if (params.server !== '') return forward(s, trusted, params, ctx);
        return storeLocally(s, ctx, params);
      });
      if (outcome instanceof Payload) return outcome;
      const invitation = outcome as Invitation;
      notifier.schedule(params.mailbox_id);
      try {
        return Payload.of(InvitationCreateResultCodec, invitationResult(invitation));
      } catch (err) {
        s.logger.error({ err, invitation: invitation.id }, 'invitation result formatting failed');
        throw new RpcError(RpcErrorCode.Internal, 'internal');
      }
    },
  );
}
