export { canonicalSpaceId, LESS_NAMESPACE, personalSpaceId, sameSpaceId } from './space-id.js';
export { DNS_NAMESPACE, formatUuid, parseUuid, uuidV5, uuidVersion } from './uuid.js';
