export {
  type AuthorizedSpace,
  type AuthzStorage,
  SpaceAuthorizer,
  type SpaceAuthorizerOptions,
} from './authorizer.js';
export {
  authzErrorCode,
  authzRpcError,
  isSpaceAuthzError,
  SpaceAuthzError,
  type SpaceAuthzErrorCode,
} from './errors.js';
export { peerTarget, peerWsUrl, remoteHome } from './home-server.js';
