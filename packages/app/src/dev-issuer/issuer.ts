import { createHash, type KeyObject, randomUUID, sign } from 'node:crypto';
import { type FetchLike, generateP256KeyPair } from '@less-sync/auth';
import { personalSpaceId } from '@less-sync/core';

/** The `iss` of development tokens. Not a URL anyone can reach: the JWKS is served in-process. */
export const DEV_ISSUER = 'urn:less-sync:dev-issuer';
/** Where the validator "fetches" the development JWKS (answered in-process, never on the network). */
export const DEV_JWKS_URL = 'http://dev-issuer.invalid/dev/jwks.json';
export const DEV_SCOPE = 'sync files';
export const DEV_DEFAULT_TTL_SECONDS = 24 * 3600;
export const DEV_MAX_TTL_SECONDS = 30 * 24 * 3600;

export interface DevTokenRequest {
  /** JWT `sub`. */
  readonly user: string;
  /** JWT `client_id` (default `dev-client`). */
  readonly client?: string | undefined;
  /** The client's did:key, needed only to be the audience of shared-space UCANs. */
  readonly did?: string | undefined;
  readonly scope?: string | undefined;
  readonly ttlSeconds?: number | undefined;
}

export interface DevToken {
  readonly token: string;
  readonly issuer: string;
  readonly user: string;
  readonly client_id: string;
  readonly personal_space_id: string;
  readonly mailbox_id: string;
  readonly did: string;
  readonly scope: string;
  /** Unix seconds. */
  readonly expires_at: number;
}

/** The public half of a JWK plus what the validator matches on. */
export interface DevJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * The built-in development issuer (config `devIssuer`): an ES256 key made in memory at start, its JWKS,
 * and tokens carrying every claim the WebSocket and file routes read. It exists only when no issuer
 * is configured, NODE_ENV is not production and the server binds loopback (the config decides).
 */
export class DevIssuer {
  readonly issuer = DEV_ISSUER;
  readonly jwksUrl = DEV_JWKS_URL;
  readonly jwk: DevJwk;
  private readonly privateKey: KeyObject;

  constructor(private readonly now: () => number = Date.now) {
    // Not generateKeyPairSync: exporting such a key can hang Node 20 (see generateP256KeyPair).
    const pair = generateP256KeyPair();
    this.privateKey = pair.privateKey;
    const x = Buffer.from(pair.x).toString('base64url');
    const y = Buffer.from(pair.y).toString('base64url');
    const kid = createHash('sha256').update(`${x}.${y}`).digest('base64url').slice(0, 16);
    this.jwk = Object.freeze({
      kty: 'EC',
      crv: 'P-256',
      x,
      y,
      kid: `dev-${kid}`,
      alg: 'ES256',
      use: 'sig',
    });
  }

  jwks(): { keys: DevJwk[] } {
    return { keys: [this.jwk] };
  }

  /**
   * A fetch for the JWT validator: the development JWKS URL is answered from memory; any other URL
   * goes to `fallback` (none is configured alongside the dev issuer, so this is for completeness).
   */
  fetch(fallback: FetchLike = (url, init) => fetch(url, init)): FetchLike {
    return async (url, init) => {
      if (url !== DEV_JWKS_URL) return fallback(url, init);
      return new Response(JSON.stringify(this.jwks()), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    };
  }

  mint(request: DevTokenRequest): DevToken {
    const client = request.client ?? 'dev-client';
    const scope = request.scope ?? DEV_SCOPE;
    const ttl = request.ttlSeconds ?? DEV_DEFAULT_TTL_SECONDS;
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + ttl;
    const spaceId = personalSpaceId(this.issuer, request.user, client);
    // 64 hex: the form invitation.create requires (RPC-INV-1), so two development users can invite each other.
    const mailbox = createHash('sha256').update(`${this.issuer}\0${request.user}`).digest('hex');
    const did = request.did ?? '';
    const claims = {
      iss: this.issuer,
      sub: request.user,
      client_id: client,
      scope,
      jti: randomUUID(),
      personal_space_id: spaceId,
      mailbox_id: mailbox,
      did,
      iat,
      exp,
    };
    const header = { alg: 'ES256', typ: 'JWT', kid: this.jwk.kid };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return {
      token: `${input}.${signature.toString('base64url')}`,
      issuer: this.issuer,
      user: request.user,
      client_id: client,
      personal_space_id: spaceId,
      mailbox_id: mailbox,
      did,
      scope,
      expires_at: exp,
    };
  }
}
