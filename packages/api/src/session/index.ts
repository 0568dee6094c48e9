export { type ClientIdentity, hasScope, identityFromAuth } from './identity.js';
export { SessionRegistry, type SpaceGrant } from './registry.js';
