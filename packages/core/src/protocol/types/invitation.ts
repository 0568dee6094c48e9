import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { arrayOf, i32, text } from '../../schema/wire-types.js';

const { R, E, Z } = rule;

/** PROTO-15: `invitation.create`. The payload is text (not bytes). */
export const InvitationCreateParamsCodec = struct('InvitationCreateParams', {
  mailbox_id: R(text),
  payload: R(text),
  server: E(text),
});
export type InvitationCreateParams = Decoded<typeof InvitationCreateParamsCodec>;

/** Result of create, and the item shape of list and get. */
export const InvitationCreateResultCodec = struct('InvitationCreateResult', {
  id: R(text),
  payload: R(text),
  created_at: R(text),
  expires_at: R(text),
});
export type InvitationCreateResult = Decoded<typeof InvitationCreateResultCodec>;

export const InvitationListParamsCodec = struct('InvitationListParams', {
  limit: Z(i32),
  after: E(text),
});
export type InvitationListParams = Decoded<typeof InvitationListParamsCodec>;

export const InvitationListResultCodec = struct('InvitationListResult', {
  invitations: R(arrayOf(InvitationCreateResultCodec)),
});
export type InvitationListResult = Decoded<typeof InvitationListResultCodec>;
export type InvitationListResultInit = Encodable<typeof InvitationListResultCodec>;

export const InvitationGetParamsCodec = struct('InvitationGetParams', {
  id: R(text),
});
export type InvitationGetParams = Decoded<typeof InvitationGetParamsCodec>;

export const InvitationDeleteParamsCodec = struct('InvitationDeleteParams', {
  id: R(text),
});
export type InvitationDeleteParams = Decoded<typeof InvitationDeleteParamsCodec>;
