import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { computeUcanCid, encodeDidKey } from '@less-sync/auth';

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** An ES256 did:key identity: a shared space's root, or a member's device key. */
export class Key {
  readonly did: string;
  readonly compressedPublicKey: Uint8Array;
  private readonly privateKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x as string, 'base64url');
    const y = Buffer.from(jwk.y as string, 'base64url');
    const prefix = (y.at(-1) ?? 0) % 2 === 0 ? 2 : 3;
    this.compressedPublicKey = Uint8Array.from(Buffer.concat([Buffer.from([prefix]), x]));
    this.did = encodeDidKey(this.compressedPublicKey);
  }

  /** A one-hour UCAN delegating `cmd` on `space` to `audience`, straight from this key. */
  grant(audience: string, space: string, cmd: '/space/write' | '/space/admin'): string {
    const claims = {
      iss: this.did,
      aud: audience,
      exp: Math.floor(Date.now() / 1000) + 3600,
      cmd,
      with: `space:${space}`,
      nonce: Math.random().toString(36).slice(2),
      prf: [],
    };
    const input = `${b64(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64(signature)}`;
  }
}

export const ucanCid = (token: string): string => computeUcanCid(token);
