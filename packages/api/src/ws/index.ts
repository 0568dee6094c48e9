export { jwtAuthenticator } from './authenticator.js';
export { CLIENT_WS_PATH, type ClientEndpointOptions, createClientEndpoint } from './endpoint.js';
