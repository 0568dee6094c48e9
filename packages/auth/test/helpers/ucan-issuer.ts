import { type KeyObject, sign } from 'node:crypto';
import { encodeDidKey, generateP256KeyPair } from '../../src/index.js';

export const TEST_SPACE_ID = '11111111-1111-1111-1111-111111111111';
export const TEST_RESOURCE = `space:${TEST_SPACE_ID}`;
export const UCAN_HEADER = '{"typ":"JWT","alg":"ES256"}';

export interface UcanOptions {
  aud: string | string[] | null;
  cmd: string;
  with?: string;
  nonce: string;
  prf?: string[];
  /** Unix seconds; `null` leaves exp out. */
  exp: number | null;
  nbf?: number | null;
  iss?: string;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

/** Signs a UCAN the way the reference's tests do (member order iss, aud, exp, nbf, cmd, with, nonce, prf). */
export function signUcan(claims: object, key: KeyObject, header = UCAN_HEADER): string {
  const input = `${b64(header)}.${b64(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export class TestIssuer {
  readonly privateKey: KeyObject;
  readonly uncompressed: Uint8Array;
  readonly did: string;

  constructor() {
    const pair = generateP256KeyPair();
    this.privateKey = pair.privateKey;
    this.uncompressed = Uint8Array.from([4, ...pair.x, ...pair.y]);
    this.did = encodeDidKey(this.uncompressed);
  }

  get compressedPublicKey(): Uint8Array {
    const y = this.uncompressed[64] as number;
    return Buffer.concat([Buffer.from([y % 2 === 0 ? 2 : 3]), this.uncompressed.subarray(1, 33)]);
  }

  issue(options: UcanOptions): string {
    return signUcan(
      {
        iss: options.iss ?? this.did,
        aud: options.aud,
        exp: options.exp,
        nbf: options.nbf ?? null,
        cmd: options.cmd,
        with: options.with ?? TEST_RESOURCE,
        nonce: options.nonce,
        prf: options.prf ?? [],
      },
      this.privateKey,
    );
  }
}

export const hoursFromNow = (hours: number): number => Math.floor(Date.now() / 1000) + hours * 3600;
