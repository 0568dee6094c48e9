import { type Decoded, rule, struct } from '../../schema/struct.js';
import { bool, text } from '../../schema/wire-types.js';

const { R } = rule;

/** PROTO-20: peer method `fed.invitation`. */
export const FederationInvitationParamsCodec = struct('FederationInvitationParams', {
  mailbox_id: R(text),
  payload: R(text),
});
export type FederationInvitationParams = Decoded<typeof FederationInvitationParamsCodec>;

export const FederationInvitationResultCodec = struct('FederationInvitationResult', {
  ok: R(bool),
});
export type FederationInvitationResult = Decoded<typeof FederationInvitationResultCodec>;
