import { type KeyObject, sign } from 'node:crypto';
import { computeUcanCid, encodeDidKey, generateP256KeyPair } from '@less-sync/auth';
import { nowSeconds } from './jwt.js';

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export type UcanCommand = '/space/read' | '/space/write' | '/space/admin';

/** The `exp` claim of a signed UCAN. */
function proofExpiry(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    exp: number;
  };
  return payload.exp;
}

/** An ES256 did:key identity: a space root or a member's device key. */
export class UcanKey {
  readonly did: string;
  /** 33-byte compressed SEC1 point (a space's `root_public_key`). */
  readonly compressedPublicKey: Uint8Array;
  private readonly privateKey: KeyObject;

  constructor() {
    // Not generateKeyPairSync + export: that can hang Node 20 (see generateP256KeyPair), and benches make
    // thousands of these.
    const { privateKey, x, y } = generateP256KeyPair();
    this.privateKey = privateKey;
    this.compressedPublicKey = Uint8Array.from([(y.at(-1) ?? 0) % 2 === 0 ? 2 : 3, ...x]);
    this.did = encodeDidKey(this.compressedPublicKey);
  }

  /** Sign a UCAN for `space` (canonical id) delegating `cmd` to `audience`. */
  issue(options: {
    audience: string;
    space: string;
    cmd?: UcanCommand;
    /** Unix seconds; default one hour ahead. */
    exp?: number;
    nbf?: number;
    nonce?: string;
    proof?: string;
  }): string {
    const claims = {
      iss: this.did,
      aud: options.audience,
      // A child may not outlive its proof: by default it expires with it, so a second ticking between two
      // issues never makes a chain invalid.
      exp: options.exp ?? (options.proof === undefined ? nowSeconds() + 3600 : proofExpiry(options.proof)),
      ...(options.nbf === undefined ? {} : { nbf: options.nbf }),
      cmd: options.cmd ?? '/space/write',
      with: `space:${options.space}`,
      nonce: options.nonce ?? 'test-nonce',
      prf: options.proof === undefined ? [] : [options.proof],
    };
    const input = `${b64(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64(signature)}`;
  }
}

/** The revocation id of a token (RPC-AUTHZ-3): lower-case hex SHA-256 of its text. */
export const ucanCid = (token: string): string => computeUcanCid(token);
