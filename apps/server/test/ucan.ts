import { UcanKey } from '../../../packages/api/test/harness/ucan.js';

/** An ES256 did:key identity (a space's root key or a client device key) over the api harness's key. */
export class DeviceKey {
  private readonly key = new UcanKey();
  readonly did = this.key.did;
  /** 33-byte compressed SEC1 point, a space's `root_public_key`. */
  readonly publicKey = this.key.compressedPublicKey;

  /** A root-issued UCAN for `space` granting `cmd` to `audience`, valid for an hour; each one distinct. */
  issue(audience: string, space: string, cmd: '/space/read' | '/space/write' | '/space/admin'): string {
    return this.key.issue({
      audience,
      space,
      cmd,
      nonce: Buffer.from(String(Math.random())).toString('base64url'),
    });
  }
}
