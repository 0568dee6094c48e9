/** epoch.begin / epoch.complete (RPC-EPOCH-1..2, R3). */
import type { MethodGroupFactory } from '../method.js';
import { epochBeginMethod } from './begin.js';
import { epochCompleteMethod } from './complete.js';

export const epochGroup: MethodGroupFactory = (s) => ({
  requests: {
    'epoch.begin': epochBeginMethod(s),
    'epoch.complete': epochCompleteMethod(s),
  },
});
