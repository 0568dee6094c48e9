import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { encodeDidKey } from '@less-sync/auth';

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** An ES256 did:key identity: a space's root key or a client device key. */
export class DeviceKey {
  readonly did: string;
  /** 33-byte compressed SEC1 point, a space's `root_public_key`. */
  readonly publicKey: Uint8Array;
  private readonly privateKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x as string, 'base64url');
    const y = Buffer.from(jwk.y as string, 'base64url');
    const prefix = (y.at(-1) ?? 0) % 2 === 0 ? 2 : 3;
    this.publicKey = new Uint8Array(Buffer.concat([Buffer.from([prefix]), x]));
    this.did = encodeDidKey(this.publicKey);
  }

  /** A root-issued UCAN for `space` granting `cmd` to `audience`, valid for an hour. */
  issue(audience: string, space: string, cmd: '/space/read' | '/space/write' | '/space/admin'): string {
    const claims = {
      iss: this.did,
      aud: audience,
      exp: Math.floor(Date.now() / 1000) + 3600,
      cmd,
      with: `space:${space}`,
      nonce: b64(Buffer.from(String(Math.random()))),
      prf: [],
    };
    const input = `${b64(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64(signature)}`;
  }
}
