/** invitation.create / list / get / delete (RPC-INV-1..6). */
import type { MethodGroupFactory } from '../method.js';
import { invitationCreateMethod } from './create.js';
import { invitationDeleteMethod, invitationGetMethod, invitationListMethod } from './read.js';

/** The `invitation` notification goes through the services' shared notifier (cancelled at shutdown). */
export const invitationGroup: MethodGroupFactory = (s) => ({
  requests: {
    'invitation.create': invitationCreateMethod(s, s.invitations),
    'invitation.list': invitationListMethod(s),
    'invitation.get': invitationGetMethod(s),
    'invitation.delete': invitationDeleteMethod(s),
  },
});
