import type { MethodGroupFactory } from '../method.js';
import { pullMethod } from './pull.js';
import { pushMethod } from './push.js';
import { spaceCreateMethod } from './space-create.js';
import { subscribeMethod, unsubscribeNotification } from './subscribe.js';
import { tokenRefreshMethod } from './token-refresh.js';

/** subscribe, unsubscribe, push, pull, token.refresh, space.create (helper A's group). */
export const syncGroup: MethodGroupFactory = (s) => ({
  requests: {
    'token.refresh': tokenRefreshMethod(s),
    'space.create': spaceCreateMethod(s),
    subscribe: subscribeMethod(s),
    push: pushMethod(s),
    pull: pullMethod(s),
  },
  notifications: {
    unsubscribe: unsubscribeNotification(s),
  },
});
