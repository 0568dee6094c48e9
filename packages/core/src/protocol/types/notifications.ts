import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { arrayOf, bool, bytes, i32, i64, text } from '../../schema/wire-types.js';

const { R, Z, F, N } = rule;

/** PROTO-13: one record in a `sync` notification. */
export const WsSyncRecordCodec = struct('WsSyncRecord', {
  id: R(text),
  blob: N(bytes),
  cursor: R(i64),
  dek: N(bytes),
  deleted: F(bool),
});
export type WsSyncRecord = Decoded<typeof WsSyncRecordCodec>;

/** Notification `sync`. */
export const WsSyncDataCodec = struct('WsSyncData', {
  space: R(text),
  prev: R(i64),
  cursor: R(i64),
  key_generation: R(i32),
  rewrap_epoch: N(i32),
  records: R(arrayOf(WsSyncRecordCodec)),
});
export type WsSyncData = Decoded<typeof WsSyncDataCodec>;
export type WsSyncDataInit = Encodable<typeof WsSyncDataCodec>;

export const WsMembershipEntryCodec = struct('WsMembershipEntry', {
  chain_seq: R(i32),
  prev_hash: N(bytes),
  entry_hash: R(bytes),
  payload: R(bytes),
});
export type WsMembershipEntry = Decoded<typeof WsMembershipEntryCodec>;

/** Notification `membership`; also the payload of chunk `pull.membership` (one entry). */
export const WsMembershipDataCodec = struct('WsMembershipData', {
  space: R(text),
  cursor: R(i64),
  entries: R(arrayOf(WsMembershipEntryCodec)),
});
export type WsMembershipData = Decoded<typeof WsMembershipDataCodec>;
export type WsMembershipDataInit = Encodable<typeof WsMembershipDataCodec>;

export const WsFileEntryCodec = struct('WsFileEntry', {
  id: R(text),
  record_id: R(text),
  size: Z(i64),
  dek: N(bytes),
  deleted: F(bool),
});
export type WsFileEntry = Decoded<typeof WsFileEntryCodec>;

/** Notification `file`. */
export const WsFileDataCodec = struct('WsFileData', {
  space: R(text),
  cursor: R(i64),
  files: R(arrayOf(WsFileEntryCodec)),
});
export type WsFileData = Decoded<typeof WsFileDataCodec>;
export type WsFileDataInit = Encodable<typeof WsFileDataCodec>;

/** Notification `revoked`; membership.revoke uses reason `ucan_revoked`. */
export const WsRevokedDataCodec = struct('WsRevokedData', {
  space: R(text),
  reason: R(text),
});
export type WsRevokedData = Decoded<typeof WsRevokedDataCodec>;

/** Notification `presence`. */
export const WsPresenceDataCodec = struct('WsPresenceData', {
  space: R(text),
  peer: R(text),
  data: R(bytes),
});
export type WsPresenceData = Decoded<typeof WsPresenceDataCodec>;

/** Notification `presence.leave`. */
export const WsPresenceLeaveDataCodec = struct('WsPresenceLeaveData', {
  space: R(text),
  peer: R(text),
});
export type WsPresenceLeaveData = Decoded<typeof WsPresenceLeaveDataCodec>;

/** Notification `event`. */
export const WsEventDataCodec = struct('WsEventData', {
  space: R(text),
  peer: R(text),
  data: R(bytes),
});
export type WsEventData = Decoded<typeof WsEventDataCodec>;

/** Notification `invitation`: params are always the empty map. */
export const InvitationNotificationCodec = struct('InvitationNotification', {});
export type InvitationNotification = Decoded<typeof InvitationNotificationCodec>;
