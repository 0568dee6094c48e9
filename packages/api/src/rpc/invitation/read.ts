/** RPC-INV-3..5: invitation.list / get / delete, always scoped to the caller's own mailbox. */
import {
  canonicalSpaceId as canonicalUuid,
  EmptyResultCodec,
  type InvitationCreateResult,
  InvitationCreateResultCodec,
  InvitationDeleteParamsCodec,
  InvitationGetParamsCodec,
  InvitationListParamsCodec,
  InvitationListResultCodec,
  Payload,
  RpcError,
  RpcErrorCode,
} from '@less-sync/core';
import type { Invitation } from '@less-sync/storage';
import { type ClientRequestContext, type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import { type StorageErrorMap, storageRpcError } from '../space-access.js';
import { invitationResult } from './format.js';

export const DEFAULT_INVITATION_LIST_LIMIT = 50;
export const MAX_INVITATION_LIST_LIMIT = 200;

const NOT_FOUND: StorageErrorMap = { InvitationNotFound: [RpcErrorCode.NotFound, 'not found'] };

/** `limit ≤ 0` means the default (50); anything larger is capped at 200. */
export function invitationListLimit(limit: number): number {
  return limit <= 0 ? DEFAULT_INVITATION_LIST_LIMIT : Math.min(limit, MAX_INVITATION_LIST_LIMIT);
}

function invitationId(raw: string): string {
  const id = canonicalUuid(raw);
  if (id === undefined) throw new RpcError(RpcErrorCode.BadRequest, 'invalid invitation id');
  return id;
}

function formatAll(s: ApiServices, invitations: readonly Invitation[]): InvitationCreateResult[] {
  try {
    return invitations.map(invitationResult);
  } catch (err) {
    s.logger.error({ err }, 'invitation result formatting failed');
    throw new RpcError(RpcErrorCode.Internal, 'internal');
  }
}

/** The caller's mailbox: the JWT's mailbox id, or its client id when that is empty. */
const mailboxOf = (ctx: ClientRequestContext): string => ctx.identity.mailboxId;

/** Unexpired invitations of the caller's mailbox in (created_at, id) order, keyset-paged by `after`. */
export function invitationListMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(InvitationListParamsCodec, 'invalid invitation list params', async (params, ctx) => {
    let after: string | undefined;
    if (params.after !== '') {
      after = canonicalUuid(params.after);
      if (after === undefined) throw new RpcError(RpcErrorCode.BadRequest, 'invalid invitation cursor');
    }
    let invitations: Invitation[];
    try {
      invitations = await s.storage.listInvitations(mailboxOf(ctx), invitationListLimit(params.limit), after);
    } catch (err) {
      throw storageRpcError(s, err, {}, { method: ctx.method });
    }
    return Payload.of(InvitationListResultCodec, { invitations: formatAll(s, invitations) });
  });
}

/** One unexpired invitation of the caller's mailbox; anything else is `not_found "not found"`. */
export function invitationGetMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(InvitationGetParamsCodec, 'invalid invitation get params', async (params, ctx) => {
    const id = invitationId(params.id);
    let invitation: Invitation;
    try {
      invitation = await s.storage.getInvitation(id, mailboxOf(ctx));
    } catch (err) {
      throw storageRpcError(s, err, NOT_FOUND, { method: ctx.method });
    }
    const [result] = formatAll(s, [invitation]);
    return Payload.of(InvitationCreateResultCodec, result as InvitationCreateResult);
  });
}

/** Delete one invitation of the caller's mailbox (expired ones too). */
export function invitationDeleteMethod(s: ApiServices): ClientRequestRoute {
  return defineRequest(
    InvitationDeleteParamsCodec,
    'invalid invitation delete params',
    async (params, ctx) => {
      const id = invitationId(params.id);
      try {
        await s.storage.deleteInvitation(id, mailboxOf(ctx));
      } catch (err) {
        throw storageRpcError(s, err, NOT_FOUND, { method: ctx.method });
      }
      return Payload.of(EmptyResultCodec, {});
    },
  );
}
