import { type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateP256KeyPair } from '@less-sync/auth';

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The JWT claims the server reads (JWT-08); every field optional so tests can leave any out. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  client_id?: string;
  scope?: string;
  personal_space_id?: string;
  did?: string;
  mailbox_id?: string;
  jti?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  [extra: string]: unknown;
}

/** An ES256 signing key published through a real JWKS endpoint on 127.0.0.1. */
export class TestJwtIssuer {
  readonly kid = 'test-key-1';
  private readonly privateKey: KeyObject;
  readonly jwk: Record<string, string>;

  private constructor(
    readonly issuer: string,
    readonly jwksUrl: string,
    private readonly server: Server,
    pair: { privateKey: KeyObject; publicKey: KeyObject },
  ) {
    this.privateKey = pair.privateKey;
    const exported = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    this.jwk = { ...exported, kid: this.kid, alg: 'ES256', use: 'sig' };
  }

  static async start(): Promise<TestJwtIssuer> {
    const pair = generateP256KeyPair();
    let keys: unknown[] = [];
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const issuer = new TestJwtIssuer(
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${port}/.well-known/jwks.json`,
      server,
      pair,
    );
    keys = [issuer.jwk];
    return issuer;
  }

  /** A signed JWT; `iss` and a one-hour `exp` are filled in unless given (`undefined` removes them). */
  sign(claims: JwtClaims): string {
    const payload: JwtClaims = { iss: this.issuer, exp: nowSeconds() + 3600, ...claims };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    const input = `${b64(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: this.kid }))}.${b64(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64(signature)}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
