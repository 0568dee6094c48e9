import type { ConnectionConfig, HandlerContext, RequestContext } from '@less-sync/realtime';
import type { ApiServices } from '../../rpc/services.js';
import type { SignatureFailureReason } from './authenticate.js';
import { FstGrantMemory } from './fst-grants.js';
import type { RebroadcastGate } from './gate.js';
import type { FederationIdentity } from './identity.js';
import { PeerSpaceLedger } from './peer-spaces.js';
import type { FederationQuota, FederationQuotaKind } from './quota.js';
import type { FederationTrust } from './trust.js';

/** FED-KEY-06: derived FST keys; tokens are minted with `primary`, verified with either. */
export interface FstKeys {
  readonly primary: Uint8Array;
  readonly previous?: Uint8Array | undefined;
}

/** Operator metrics of the inbound side; every hook is optional. */
export interface FederationMetrics {
  peerSocketOpened?(domain: string): void;
  peerSocketClosed?(domain: string): void;
  /** One federation request (or re-broadcast notification) and its outcome or error code. */
  call?(method: string, outcome: string): void;
  quotaRejected?(kind: FederationQuotaKind): void;
  signatureFailed?(reason: SignatureFailureReason): void;
}

export interface FederationInboundOptions {
  readonly trust: FederationTrust;
  readonly quota: FederationQuota;
  /** Absent: no FSTs are issued and token subscribes fail per space with `internal`. */
  readonly fstKeys?: FstKeys | undefined;
  /** R16: PUBLIC_URL (and any other public base URL peers dial). */
  readonly publicUrls?: readonly string[];
  /** R17: which re-broadcasts to accept; absent, every re-broadcast is refused and logged. */
  readonly gate?: RebroadcastGate | undefined;
  readonly metrics?: FederationMetrics;
  /** Headers on the 101 and on refusals (X-Protocol-Version, CORS). */
  readonly upgradeHeaders?: Readonly<Record<string, string>>;
  /** Socket limits and timers (defaults: the client socket's). */
  readonly connection?: Partial<ConnectionConfig>;
  /** Remembered UCAN grants behind FSTs (B13); one per process by default. */
  readonly fstGrants?: FstGrantMemory;
}

/** What every federation handler works with. */
export interface FederationContext {
  readonly s: ApiServices;
  readonly options: FederationInboundOptions;
  readonly quota: FederationQuota;
  readonly metrics: FederationMetrics;
  readonly fstGrants: FstGrantMemory;
  readonly peerSpaces: PeerSpaceLedger;
}

export type PeerRequestContext = RequestContext<FederationIdentity>;
export type PeerHandlerContext = HandlerContext<FederationIdentity>;

export function federationContext(s: ApiServices, options: FederationInboundOptions): FederationContext {
  return {
    s,
    options,
    quota: options.quota,
    metrics: options.metrics ?? {},
    fstGrants: options.fstGrants ?? new FstGrantMemory(),
    peerSpaces: new PeerSpaceLedger(),
  };
}
