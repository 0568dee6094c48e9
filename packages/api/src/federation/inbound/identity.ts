import { randomUUID } from 'node:crypto';
import { DNS_NAMESPACE, uuidV5 } from '@less-sync/core';
import type { ConnectionIdentity } from '@less-sync/realtime';

/** FED-WS-06: the identity a verified peer connection carries (no auth frame on this route). */
export interface FederationIdentity extends ConnectionIdentity {
  /** Canonical peer domain from the signer's keyid (port dropped). Quotas and FSTs key on it. */
  readonly peerDomain: string;
  /** `federation:<domain>`; also the reference's client id. */
  readonly userId: string;
  /** `did:web:<domain>`. */
  readonly did: string;
  /** UUIDv5(DNS, `federation:<domain>`), as the reference derives it. */
  readonly personalSpaceId: string;
  /** The keyid that signed the upgrade (logs). */
  readonly keyId: string;
  /**
   * Broker key. Unique per socket (B12): peer sockets are limited by FEDERATION_MAX_CONNECTIONS alone,
   * never by the per-mailbox client cap.
   */
  readonly mailboxId: string;
}

export const FEDERATION_USER_PREFIX = 'federation:';

export function federationIdentity(peerDomain: string, keyId: string): FederationIdentity {
  const userId = `${FEDERATION_USER_PREFIX}${peerDomain}`;
  return {
    peerDomain,
    userId,
    did: `did:web:${peerDomain}`,
    personalSpaceId: uuidV5(DNS_NAMESPACE, new TextEncoder().encode(userId)),
    keyId,
    mailboxId: `${userId}#${randomUUID()}`,
    expiresAt: undefined,
  };
}
