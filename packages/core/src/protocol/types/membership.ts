import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { arrayOf, bytes, i32, text } from '../../schema/wire-types.js';
import { WsMembershipEntryCodec } from './notifications.js';

const { R, E, Z, N } = rule;

/** PROTO-17: `membership.append`. */
export const MembershipAppendParamsCodec = struct('MembershipAppendParams', {
  space: R(text),
  ucan: E(text),
  expected_version: R(i32),
  prev_hash: N(bytes),
  entry_hash: R(bytes),
  payload: R(bytes),
});
export type MembershipAppendParams = Decoded<typeof MembershipAppendParamsCodec>;
export type MembershipAppendParamsInit = Encodable<typeof MembershipAppendParamsCodec>;

export const MembershipAppendResultCodec = struct('MembershipAppendResult', {
  chain_seq: R(i32),
  metadata_version: R(i32),
});
export type MembershipAppendResult = Decoded<typeof MembershipAppendResultCodec>;

export const MembershipListParamsCodec = struct('MembershipListParams', {
  space: R(text),
  ucan: E(text),
  since_seq: Z(i32),
});
export type MembershipListParams = Decoded<typeof MembershipListParamsCodec>;

export const MembershipListResultCodec = struct('MembershipListResult', {
  entries: R(arrayOf(WsMembershipEntryCodec)),
  metadata_version: R(i32),
});
export type MembershipListResult = Decoded<typeof MembershipListResultCodec>;
export type MembershipListResultInit = Encodable<typeof MembershipListResultCodec>;

export const MembershipRevokeParamsCodec = struct('MembershipRevokeParams', {
  space: R(text),
  ucan: E(text),
  ucan_cid: R(text),
});
export type MembershipRevokeParams = Decoded<typeof MembershipRevokeParamsCodec>;
