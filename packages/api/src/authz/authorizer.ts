import { type AuthContext, type Permission, UcanError, type ValidatedChain } from '@less-sync/auth';
import { canonicalSpaceId } from '@less-sync/core';
import { isStorageError, type Space, type Storage } from '@less-sync/storage';
import type { ApiLogger, PeerTarget, UcanChainValidator } from '../deps.js';
import { SpaceAuthzError } from './errors.js';
import { remoteHome } from './home-server.js';

export type { Permission } from '@less-sync/auth';

/** The outcome of a successful authorization: the space as read, and how access was granted. */
export interface AuthorizedSpace {
  /** Canonical (lower-case hyphenated) space id. */
  readonly id: string;
  readonly space: Space;
  /** Granted by the JWT's personal space id (no UCAN). */
  readonly personal: boolean;
  /** The validated UCAN chain of a shared space: its CIDs let a later revocation end the grant (R8). */
  readonly chain: ValidatedChain | undefined;
  /** Set when the space is homed on a federation peer: the caller forwards (or refuses) instead of serving it. */
  readonly remote: PeerTarget | undefined;
}

export type AuthzStorage = Pick<Storage, 'getOrCreateSpace' | 'getSpace' | 'isRevoked'>;

export interface SpaceAuthorizerOptions {
  readonly storage: AuthzStorage;
  readonly ucan: UcanChainValidator;
  readonly logger: ApiLogger;
  /** Canonical domains that mean "homed here". */
  readonly localDomains?: Iterable<string>;
  readonly now?: () => number;
}

/**
 * RPC-AUTHZ-1..3 with R11: one place decides whether an identity may use a space at a permission level.
 * Used by every space-scoped RPC and by the HTTP file routes.
 */
export class SpaceAuthorizer {
  private readonly storage: AuthzStorage;
  private readonly ucan: UcanChainValidator;
  private readonly logger: ApiLogger;
  private readonly localDomains: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(options: SpaceAuthorizerOptions) {
    this.storage = options.storage;
    this.ucan = options.ucan;
    this.logger = options.logger;
    this.localDomains = new Set(options.localDomains ?? []);
    this.now = options.now ?? Date.now;
  }

  /**
   * Authorize `auth` on `spaceId` (any UUID spelling; callers check it parses first). Rejects with
   * SpaceAuthzError `forbidden` (no access) or `internal` (our failure).
   */
  async authorize(
    auth: AuthContext,
    spaceId: string,
    ucan: string,
    permission: Permission,
  ): Promise<AuthorizedSpace> {
    const id = canonicalSpaceId(spaceId);
    if (id === undefined) throw new SpaceAuthzError('forbidden', 'space id is not a UUID');
    try {
      if (canonicalSpaceId(auth.personalSpaceId) === id) return await this.personal(auth, id);
      return await this.shared(auth, id, ucan, permission);
    } catch (err) {
      if (err instanceof SpaceAuthzError && err.code === 'internal') {
        this.logger.error({ err: err.cause, space: id, reason: err.reason }, 'space authorization failed');
      }
      throw err;
    }
  }

  /** The caller's personal space, created on first use; it must really be personal (R11). */
  private async personal(auth: AuthContext, id: string): Promise<AuthorizedSpace> {
    let space: Space;
    try {
      space = await this.storage.getOrCreateSpace(id, auth.clientId);
    } catch (err) {
      if (isStorageError(err, 'SpaceNotPersonal')) {
        this.logger.warn(
          { space: id, issuer: auth.issuer, userId: auth.userId, clientId: auth.clientId },
          'JWT personal space id names a shared space; access refused',
        );
        throw new SpaceAuthzError('forbidden', 'personal space id names a shared space');
      }
      throw new SpaceAuthzError('internal', 'personal space lookup failed', { cause: err });
    }
    return { id, space, personal: true, chain: undefined, remote: this.remote(space) };
  }

  private async shared(
    auth: AuthContext,
    id: string,
    ucan: string,
    permission: Permission,
  ): Promise<AuthorizedSpace> {
    let space: Space;
    try {
      space = await this.storage.getSpace(id);
    } catch (err) {
      if (isStorageError(err, 'SpaceNotFound')) throw new SpaceAuthzError('forbidden', 'space not found');
      throw new SpaceAuthzError('internal', 'space lookup failed', { cause: err });
    }
    const rootPublicKey = space.root_public_key;
    // No root key: someone else's personal space.
    if (rootPublicKey === undefined) throw new SpaceAuthzError('forbidden', 'not a shared space');
    if (ucan === '' || auth.did === '') throw new SpaceAuthzError('forbidden', 'no UCAN or no DID');
    let chain: ValidatedChain;
    try {
      chain = await this.ucan.validateChain({
        token: ucan,
        expectedAudience: auth.did,
        requiredPermission: permission,
        spaceId: id,
        rootPublicKey,
        isRevoked: (space, cid) => this.storage.isRevoked(space, cid),
        now: this.now(),
      });
    } catch (err) {
      if (err instanceof UcanError && err.kind !== 'RevocationCheckFailed') {
        throw new SpaceAuthzError('forbidden', `ucan: ${err.kind}`, { cause: err });
      }
      throw new SpaceAuthzError('internal', 'ucan validation failed', { cause: err });
    }
    return { id, space, personal: false, chain, remote: this.remote(space) };
  }

  private remote(space: Space): PeerTarget | undefined {
    return remoteHome(space.home_server, this.localDomains);
  }
}
