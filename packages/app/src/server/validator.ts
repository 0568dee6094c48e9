import { JwtValidator } from '@less-sync/auth';
import type { Config } from '../config/types.js';
import type { DevIssuer } from '../dev-issuer/index.js';

/**
 * CONFIG-04/05, R13, R14: one validator for HTTP bearer auth and the WebSocket auth frame. With the
 * development issuer its key set is answered in-process.
 */
export function createTokenValidator(config: Config, devIssuer: DevIssuer | undefined): JwtValidator {
  const issuers = devIssuer ? [{ issuer: devIssuer.issuer, jwksUrl: devIssuer.jwksUrl }] : config.issuers;
  return new JwtValidator({
    issuers,
    audiences: config.audiences,
    leewaySeconds: config.jwt.clockLeewaySeconds,
    allowNoExp: config.jwt.allowMissingExp,
    ...(devIssuer ? { fetch: devIssuer.fetch() } : {}),
  });
}
