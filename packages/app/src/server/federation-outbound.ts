import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { type ApiLogger, FederationPeerManager } from '@less-sync/api';
import { canonicalizeDomain, extractDomainFromKeyId } from '@less-sync/auth';
import type { FederationSigningKey } from '@less-sync/storage';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { type AppMetrics, registerOutboundFederationMetrics } from '../metrics/index.js';

/**
 * The CA list for `wss://` peers: empty (Node's default store) without FEDERATION_CA_FILE; with it, the
 * default store spelled out (bundled roots plus NODE_EXTRA_CA_CERTS) and the file's certificates, since a
 * `ca` option replaces the default store instead of adding to it. An unreadable file stops the start.
 */
function trustedCas(path: string | undefined, nodeExtra: string | undefined): string[] {
  if (path === undefined) return [];
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`FEDERATION_CA_FILE ${JSON.stringify(path)} cannot be read: ${(error as Error).message}`);
  }
  const extra: string[] = [];
  if (nodeExtra !== undefined) {
    try {
      extra.push(readFileSync(nodeExtra, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; do the same by leaving it out.
    }
  }
  return [...rootCertificates, ...extra, pem];
}

/** The domain the primary key speaks for (this server's own: spaces homed there are local). */
export function signingKeyDomain(key: FederationSigningKey | undefined): string | undefined {
  if (key === undefined) return undefined;
  try {
    return canonicalizeDomain(extractDomainFromKeyId(key.kid));
  } catch {
    return undefined;
  }
}

/**
 * FED-PEER-01 / FED-KEY-08: the outbound peer manager exists when a primary signing key is stored; it
 * signs with that key (kid verbatim as keyid). Per-peer state is exported as metrics.
 */
export function createFederationOutbound(
  config: Config,
  signingKey: FederationSigningKey | undefined,
  metrics: AppMetrics,
  logger: Logger,
): FederationPeerManager | undefined {
  if (signingKey === undefined) return undefined;
  const out = config.federation.outbound;
  const manager = new FederationPeerManager({
    signer: { keyId: signingKey.kid, privateKey: signingKey.privateKey },
    config: {
      callTimeoutMs: out.callTimeoutMs,
      connectTimeoutMs: out.callTimeoutMs,
      backoff: { initialMs: 250, maxMs: out.reconnectMaxMs },
      peerUrls: out.peerUrls,
      ca: trustedCas(out.caFile, out.nodeExtraCaFile),
    },
    logger: logger.child({ component: 'federation-outbound' }) as ApiLogger,
  });
  registerOutboundFederationMetrics(metrics.registry, () => manager.status());
  logger.info(
    { keyid: signingKey.kid, call_timeout_ms: out.callTimeoutMs, peer_urls: Object.keys(out.peerUrls) },
    'federation outbound enabled',
  );
  return manager;
}
