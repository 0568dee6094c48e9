import type { Clock } from '../encoding/clock.js';
import {
  createFst,
  deriveFstKey,
  type FederationSubscribeClaims,
  type FstOptions,
  verifyFstDualKey,
} from './fst.js';

/**
 * FED-KEY-06: the FST keys derived from the configured secrets. Tokens are minted with the current
 * key; verification also accepts the previous key so a secret can be rotated without cutting off
 * peers whose tokens were minted before the switch.
 */
export class FstKeyring {
  private constructor(
    private readonly current: Uint8Array,
    private readonly previous: Uint8Array | undefined,
    private readonly options: FstOptions,
  ) {}

  /**
   * From `FEDERATION_FST_SECRET` / `FEDERATION_FST_PREVIOUS_SECRET` (already trimmed, empty = unset).
   * No current secret → undefined: no tokens are issued and token subscribes fail; a previous secret
   * alone is ignored.
   */
  static fromSecrets(
    secret: string | undefined,
    previousSecret: string | undefined,
    options: FstOptions = {},
  ): FstKeyring | undefined {
    if (secret === undefined || secret === '') return undefined;
    const previous =
      previousSecret === undefined || previousSecret === ''
        ? undefined
        : deriveFstKey(Buffer.from(previousSecret, 'utf8'));
    return new FstKeyring(deriveFstKey(Buffer.from(secret, 'utf8')), previous, options);
  }

  /** Whether a previous secret is still accepted. */
  get rotating(): boolean {
    return this.previous !== undefined;
  }

  /** FED-KEY-07: a token for `spaceId` bound to `peerDomain`, expiring in ≤ 24 h and never after `capSeconds`. */
  issue(spaceId: string, peerDomain: string, capSeconds?: number): string {
    return createFst(this.current, spaceId, peerDomain, capSeconds, this.options);
  }

  /** FED-KEY-06 dual-key verification; throws `FederationTokenError`. */
  verify(token: string, peerDomain: string, now?: Clock): FederationSubscribeClaims {
    return verifyFstDualKey(this.current, this.previous, token, peerDomain, {
      now: now ?? this.options.now,
    });
  }
}
