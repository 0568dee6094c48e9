export { type Chunk, type CloseInfo, type Notification, type Reply, TestClient } from './client.js';
export { type JwtClaims, nowSeconds, TestJwtIssuer } from './jwt.js';
export {
  type LogEntry,
  TestServer,
  type TestServerOptions,
  type TestSpace,
  type TestUser,
} from './server.js';
export { overrideStorage } from './storage-faults.js';
export { type UcanCommand, UcanKey, ucanCid } from './ucan.js';
