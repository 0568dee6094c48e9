/** membership.append / list / revoke (RPC-MEM-1..4). */
import type { MethodGroupFactory } from '../method.js';
import { membershipAppendMethod } from './append.js';
import { membershipListMethod } from './list.js';
import { membershipRevokeMethod } from './revoke.js';

export const membershipGroup: MethodGroupFactory = (s) => ({
  requests: {
    'membership.append': membershipAppendMethod(s),
    'membership.list': membershipListMethod(s),
    'membership.revoke': membershipRevokeMethod(s),
  },
});
