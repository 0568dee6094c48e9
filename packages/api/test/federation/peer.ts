import { deriveFstKey, generateEd25519Seed, signHttpRequest } from '@less-sync/auth';
import {
  buildFederationTrust,
  createFederationEndpoint,
  FEDERATION_WS_PATH,
  type FederationInboundOptions,
  type FederationQuotaLimits,
  InMemoryFederationQuota,
  RemoteSubscriptionLedger,
} from '../../src/index.js';
import { TestClient, TestServer, type TestServerOptions } from '../harness/index.js';

/** An Ed25519 signing key of a peer, with a keyid on its domain (port ignored by the verifier). */
export class PeerKey {
  readonly keyId: string;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;

  constructor(
    readonly domain = 'peer.example.com',
    fragment = 'fed-1',
  ) {
    // The seed itself: signHttpRequest and the outbound signer make the key object from it.
    const { seed, publicKey } = generateEd25519Seed();
    this.privateKey = seed;
    this.publicKey = publicKey;
    this.keyId = `https://${domain}/.well-known/jwks.json#${fragment}`;
  }

  /** The two signature headers for an upgrade of `url` (the URL as dialled; Host from it). */
  sign(url: string, now?: number): Record<string, string> {
    const host = new URL(url).host;
    return {
      ...signHttpRequest({ method: 'GET', url, headers: { host } }, this.privateKey, this.keyId, {
        ...(now === undefined ? {} : { now: () => now }),
      }),
    };
  }
}

export const FST_SECRET = '01234567890123456789012345678901';

export const DEFAULT_LIMITS: FederationQuotaLimits = {
  maxConnections: 3,
  maxSpaces: 1000,
  maxRecordsPerHour: 10_000,
  maxBytesPerHour: 524_288_000,
  maxInvitationsPerHour: 100,
};

export interface MetricEvents {
  readonly opened: string[];
  readonly closed: string[];
  readonly calls: string[];
  readonly quota: string[];
  readonly signatures: string[];
}

export interface HomeOptions extends TestServerOptions {
  readonly peers?: readonly PeerKey[];
  readonly trustedDomains?: readonly string[];
  readonly limits?: Partial<FederationQuotaLimits>;
  readonly fst?: boolean;
  readonly publicUrls?: readonly string[];
  readonly extra?: Partial<FederationInboundOptions>;
}

/** A home server: a TestServer with a federation endpoint trusting `peers`. */
export async function startHome(
  options: HomeOptions = {},
): Promise<{ server: TestServer; ledger: RemoteSubscriptionLedger; events: MetricEvents; fedUrl: string }> {
  const peers = options.peers ?? [new PeerKey()];
  const ledger = new RemoteSubscriptionLedger();
  const events: MetricEvents = { opened: [], closed: [], calls: [], quota: [], signatures: [] };
  const server = await TestServer.start({
    ...options,
    inbound: (services) =>
      createFederationEndpoint(services, {
        trust: buildFederationTrust(peers, options.trustedDomains ?? []),
        quota: new InMemoryFederationQuota({ ...DEFAULT_LIMITS, ...options.limits }),
        ...(options.fst === false ? {} : { fstKeys: { primary: deriveFstKey(Buffer.from(FST_SECRET)) } }),
        publicUrls: options.publicUrls ?? [],
        gate: ledger,
        metrics: {
          peerSocketOpened: (d) => events.opened.push(d),
          peerSocketClosed: (d) => events.closed.push(d),
          call: (m, o) => events.calls.push(`${m}:${o}`),
          quotaRejected: (k) => events.quota.push(k),
          signatureFailed: (r) => events.signatures.push(r),
        },
        ...options.extra,
      }),
  });
  return { server, ledger, events, fedUrl: server.url.replace('/api/v1/ws', FEDERATION_WS_PATH) };
}

/** A signed peer socket to the home server. */
export async function connectPeer(
  fedUrl: string,
  key: PeerKey,
  protocols = 'less-rpc-v1',
): Promise<TestClient> {
  return TestClient.connect(fedUrl, { headers: key.sign(fedUrl), protocols });
}

export { type UpgradeAnswer, upgrade } from './upgrade.js';
