import type { Shape, StructCodec } from '../schema/struct.js';
import * as T from './types/index.js';

/**
 * PROTO-24: method, notification and chunk names, each paired with its codecs. The api layer
 * dispatches on these; anything not listed gets `method_not_found` (requests) or is ignored.
 */
export const ClientMethods = {
  'token.refresh': { params: T.TokenRefreshParamsCodec, result: T.TokenRefreshResultCodec },
  'space.create': { params: T.SpaceCreateParamsCodec, result: T.SpaceCreateResultCodec },
  'membership.append': { params: T.MembershipAppendParamsCodec, result: T.MembershipAppendResultCodec },
  'membership.list': { params: T.MembershipListParamsCodec, result: T.MembershipListResultCodec },
  'membership.revoke': { params: T.MembershipRevokeParamsCodec, result: T.EmptyResultCodec },
  'invitation.create': { params: T.InvitationCreateParamsCodec, result: T.InvitationCreateResultCodec },
  'invitation.list': { params: T.InvitationListParamsCodec, result: T.InvitationListResultCodec },
  'invitation.get': { params: T.InvitationGetParamsCodec, result: T.InvitationCreateResultCodec },
  'invitation.delete': { params: T.InvitationDeleteParamsCodec, result: T.EmptyResultCodec },
  // The result is EpochBeginResult, or EpochConflictResult for a lost race (R3).
  'epoch.begin': { params: T.EpochBeginParamsCodec, result: T.EpochBeginResultCodec },
  'epoch.complete': { params: T.EpochCompleteParamsCodec, result: T.EmptyResultCodec },
  'deks.get': { params: T.DeksGetParamsCodec, result: T.DeksGetResultCodec },
  'deks.rewrap': { params: T.DeksRewrapParamsCodec, result: T.DeksRewrapResultCodec },
  'file.deks.get': { params: T.FileDeksGetParamsCodec, result: T.FileDeksGetResultCodec },
  'deks.getFiles': { params: T.FileDeksGetParamsCodec, result: T.FileDeksGetResultCodec },
  'file.deks.rewrap': { params: T.FileDeksRewrapParamsCodec, result: T.FileDeksRewrapResultCodec },
  'deks.rewrapFiles': { params: T.FileDeksRewrapParamsCodec, result: T.FileDeksRewrapResultCodec },
  subscribe: { params: T.SubscribeParamsCodec, result: T.SubscribeResultCodec },
  push: { params: T.PushParamsCodec, result: T.PushRpcResultCodec },
  // Streams chunks (ChunkNames) and ends with `{_chunks}`.
  pull: { params: T.PullParamsCodec, result: T.PullResultCodec },
} as const satisfies Record<string, { params: StructCodec<Shape>; result: StructCodec<Shape> }>;
export type ClientMethod = keyof typeof ClientMethods;

/** Notifications a client may send after auth (`auth` is only meaningful as the first frame). */
export const ClientNotifications = {
  auth: null,
  unsubscribe: T.UnsubscribeParamsCodec,
  'presence.set': T.WsPresenceSetParamsCodec,
  'presence.clear': T.WsPresenceClearParamsCodec,
  'event.send': T.WsEventSendParamsCodec,
} as const;
export type ClientNotification = keyof typeof ClientNotifications;

/** Space changes: sent by the server to its clients, and relayed from a peer (then re-broadcast locally). */
const SpaceChangeNotifications = {
  sync: T.WsSyncDataCodec,
  membership: T.WsMembershipDataCodec,
  file: T.WsFileDataCodec,
  revoked: T.WsRevokedDataCodec,
} as const;

/** Notifications the server sends. */
export const ServerNotifications = {
  ...SpaceChangeNotifications,
  presence: T.WsPresenceDataCodec,
  'presence.leave': T.WsPresenceLeaveDataCodec,
  event: T.WsEventDataCodec,
  invitation: T.InvitationNotificationCodec,
} as const satisfies Record<string, StructCodec<Shape>>;
export type ServerNotification = keyof typeof ServerNotifications;

/** Chunk names and their payloads. `deks.record`/`deks.files.record` are less-sync additions (R4). */
export const ChunkNames = {
  'pull.begin': T.WsPullBeginDataCodec,
  'pull.record': T.WsPullRecordDataCodec,
  'pull.membership': T.WsMembershipDataCodec,
  'pull.file': T.WsPullFileDataCodec,
  'pull.commit': T.WsPullCommitDataCodec,
  'deks.record': T.DekRecordCodec,
  'deks.files.record': T.FileDekRecordCodec,
} as const satisfies Record<string, StructCodec<Shape>>;
export type ChunkName = keyof typeof ChunkNames;

/** Federation route: requests a peer may call, and notifications it may send. */
export const FederationMethods = {
  subscribe: ClientMethods.subscribe,
  push: ClientMethods.push,
  pull: ClientMethods.pull,
  'fed.invitation': { params: T.FederationInvitationParamsCodec, result: T.FederationInvitationResultCodec },
} as const;
export type FederationMethod = keyof typeof FederationMethods;

/** Notifications accepted from a peer; all but `unsubscribe` are re-broadcast locally (R17 limits whose). */
export const FederationNotifications = {
  unsubscribe: T.UnsubscribeParamsCodec,
  ...SpaceChangeNotifications,
} as const satisfies Record<string, StructCodec<Shape>>;
export type FederationNotification = keyof typeof FederationNotifications;

function hasName<T extends object>(table: T, name: string): name is Extract<keyof T, string> {
  return Object.hasOwn(table, name);
}

export const isClientMethod = (name: string): name is ClientMethod => hasName(ClientMethods, name);
export const isClientNotification = (name: string): name is ClientNotification =>
  hasName(ClientNotifications, name);
export const isFederationMethod = (name: string): name is FederationMethod =>
  hasName(FederationMethods, name);
