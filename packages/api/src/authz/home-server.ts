import { canonicalizeDomain } from '@less-sync/auth';
import type { PeerTarget } from '../deps.js';

const FEDERATION_PATH = '/api/v1/federation/ws';

function isLocalPeer(domain: string): boolean {
  return (
    domain === 'localhost' ||
    domain === '127.0.0.1' ||
    domain === '::1' ||
    domain.startsWith('localhost:') ||
    domain.startsWith('127.0.0.1:') ||
    domain.startsWith('[::1]')
  );
}

/**
 * FED-PEER-02: the federation URL of a home server. An absolute http(s)/ws(s) URL keeps its scheme family
 * (http→ws, https→wss) and gets the federation path when it has none; anything else is a bare domain,
 * canonicalized, dialled over `ws://` on loopback and `wss://` elsewhere.
 */
export function peerWsUrl(rawPeer: string): string {
  const raw = rawPeer.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https' || scheme === 'ws' || scheme === 'wss') {
    try {
      const url = new URL(raw);
      url.protocol = scheme === 'http' || scheme === 'ws' ? 'ws:' : 'wss:';
      if (url.pathname === '' || url.pathname === '/') url.pathname = FEDERATION_PATH;
      return url.toString();
    } catch {
      // Not a valid URL after all: fall through to the bare-domain form.
    }
  }
  const domain = canonicalizeDomain(raw);
  return `${isLocalPeer(domain) ? 'ws' : 'wss'}://${domain}${FEDERATION_PATH}`;
}

export function peerTarget(homeServer: string): PeerTarget {
  return { domain: canonicalizeDomain(homeServer), url: peerWsUrl(homeServer) };
}

/** Where a space is homed: here (no home server, or one of our own domains) or on a peer. */
export function remoteHome(
  homeServer: string | undefined,
  localDomains: ReadonlySet<string>,
): PeerTarget | undefined {
  if (homeServer === undefined || homeServer.trim() === '') return undefined;
  const target = peerTarget(homeServer);
  return localDomains.has(target.domain) ? undefined : target;
}
