import { quote, readTrimmed, readUnsigned } from './env.js';
import { ConfigError } from './errors.js';
import { canonicalizeDomain } from './federation-domain.js';
import type { Env, FederationOutboundConfig } from './types.js';

export const DEFAULT_FEDERATION_CALL_TIMEOUT_MS = 5000;
export const DEFAULT_FEDERATION_RECONNECT_MAX_MS = 30_000;

/**
 * The origin side (FED-PEER-*): the deadline of every forwarded call (B8), the reconnect backoff
 * ceiling, fixed URLs for some peers (`domain=url`, e.g. `ws://` on loopback) and a PEM file of extra
 * CA certificates trusted for `wss://` peers.
 */
export function parseFederationOutbound(env: Env): FederationOutboundConfig {
  return {
    callTimeoutMs: readUnsigned(env, 'FEDERATION_CALL_TIMEOUT_MS', DEFAULT_FEDERATION_CALL_TIMEOUT_MS, {
      max: 600_000,
    }),
    reconnectMaxMs: readUnsigned(env, 'FEDERATION_RECONNECT_MAX_MS', DEFAULT_FEDERATION_RECONNECT_MAX_MS, {
      max: 3_600_000,
    }),
    peerUrls: parsePeerUrls(readTrimmed(env, 'FEDERATION_PEER_URLS') ?? ''),
    caFile: readTrimmed(env, 'FEDERATION_CA_FILE'),
    nodeExtraCaFile: readTrimmed(env, 'NODE_EXTRA_CA_CERTS'),
  };
}

function parsePeerUrls(raw: string): Readonly<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const entry of raw.split(/[\s,]+/)) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const domain = eq < 0 ? '' : canonicalizeDomain(entry.slice(0, eq));
    const url = eq < 0 ? '' : entry.slice(eq + 1);
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (domain === '' || parsed === undefined || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')) {
      throw new ConfigError(
        'FEDERATION_PEER_URLS',
        `invalid FEDERATION_PEER_URLS entry ${quote(entry)}: expected <domain>=<ws:// or wss:// URL>`,
      );
    }
    urls[domain] = parsed.toString();
  }
  return urls;
}
