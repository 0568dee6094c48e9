// Helper B: membership, presence, presence.leave, event and invitation notifications.
export { EVENT_METHOD, eventNotice } from './event.js';
export { type FileNotice, type FileNoticeEntry, filePayload, publishFile } from './file.js';
export {
  DEFAULT_INVITATION_NOTIFIER_CONFIG,
  INVITATION_METHOD,
  InvitationNotifier,
  type InvitationNotifierConfig,
  type InvitationNotifierOptions,
  type InvitationScheduleOutcome,
} from './invitation.js';
export { MEMBERSHIP_METHOD, type MembershipNoticeEntry, membershipNotice } from './membership.js';
export { PRESENCE_METHOD, presenceNotice } from './presence.js';
export { PRESENCE_LEAVE_METHOD, presenceLeaveNotice } from './presence-leave.js';
export { publishRevoked, revokedPayload, UCAN_REVOKED } from './revoked.js';
export { publishSync, type SyncNotice, type SyncRecord, syncPayload } from './sync.js';
