/** presence.set / presence.clear and event.send (PRESENCE-1..3, PRESENCE-7, EVENT-1). */
import type { MethodGroupFactory } from '../method.js';
import { eventSendNotification } from './event.js';
import { presenceClearNotification, presenceSetNotification } from './presence.js';

/**
 * Client notifications only. Presence listing (PRESENCE-3) is subscribe's `peers`, read from the shared
 * PresenceRegistry; disconnect cleanup (PRESENCE-7) is the connection teardown's, through the same registry.
 */
export const presenceGroup: MethodGroupFactory = (s) => ({
  notifications: {
    'presence.set': presenceSetNotification(s),
    'presence.clear': presenceClearNotification(s),
    'event.send': eventSendNotification(s),
  },
});
