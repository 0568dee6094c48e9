import { p256 } from '@noble/curves/nist.js';
import { base58btc } from 'multiformats/bases/base58';
import { AuthPackageError } from '../errors/base.js';
import { decodeVarint, encodeVarint } from './varint.js';

/** did:key for P-256 keys only, as the reference supports (DIDKEY-01..05). */

const PREFIX = 'did:key:z';
const P256_MULTICODEC = 0x1200n;
const MAX_PAYLOAD_BYTES = 256;
const COMPRESSED_LENGTH = 33;

export type DidKeyErrorKind =
  | 'MissingPrefix'
  | 'InputTooLong'
  | 'Base58Decode'
  | 'InvalidVarint'
  | 'WrongMulticodec'
  | 'WrongPointLength'
  | 'InvalidPoint'
  | 'InvalidPublicKey';

export class DidKeyError extends AuthPackageError<DidKeyErrorKind> {
  readonly area = 'didkey' as const;
  override readonly name = 'DidKeyError';
}

/** A validated P-256 public key in both SEC1 forms. */
export interface P256PublicKey {
  /** 33 bytes: 0x02/0x03 ‖ x (the UCAN root-key format). */
  readonly compressed: Uint8Array;
  /** 65 bytes: 0x04 ‖ x ‖ y. */
  readonly uncompressed: Uint8Array;
}

export function decodeDidKey(did: string): P256PublicKey {
  if (did.length <= PREFIX.length || !did.startsWith(PREFIX)) {
    throw new DidKeyError('MissingPrefix', 'invalid did:key: missing did:key:z prefix');
  }
  const payload = did.slice(PREFIX.length);
  const payloadBytes = Buffer.byteLength(payload, 'utf8');
  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    throw new DidKeyError('InputTooLong', `invalid did:key: base58 input too long: ${payloadBytes}`, {
      detail: String(payloadBytes),
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = base58btc.baseDecode(payload);
  } catch (error) {
    throw new DidKeyError('Base58Decode', 'invalid did:key: base58 decode failed', { cause: error });
  }
  const varint = decodeVarint(bytes);
  if (typeof varint === 'string') {
    throw new DidKeyError('InvalidVarint', `invalid did:key: varint decode failed: ${varint}`, {
      detail: varint,
    });
  }
  const [codec, used] = varint;
  if (codec !== P256_MULTICODEC) {
    const hex = codec.toString(16);
    throw new DidKeyError(
      'WrongMulticodec',
      `invalid did:key: expected P-256 multicodec 0x1200, got 0x${hex}`,
      {
        detail: `0x${hex}`,
      },
    );
  }
  const point = bytes.subarray(used);
  if (point.byteLength !== COMPRESSED_LENGTH) {
    throw new DidKeyError(
      'WrongPointLength',
      `invalid did:key: expected 33-byte compressed point, got ${point.byteLength}`,
      { detail: String(point.byteLength) },
    );
  }
  try {
    const parsed = p256.Point.fromBytes(point);
    return { compressed: Uint8Array.from(point), uncompressed: parsed.toBytes(false) };
  } catch (error) {
    throw new DidKeyError('InvalidPoint', 'invalid did:key: point not on P-256 curve', { cause: error });
  }
}

/** `did:key:z` + base58btc(varint(0x1200) ‖ compressed point); accepts a 33- or 65-byte SEC1 key. */
export function encodeDidKey(publicKey: Uint8Array): string {
  const compressed = compressPublicKey(publicKey);
  const codec = encodeVarint(P256_MULTICODEC);
  const bytes = new Uint8Array(codec.byteLength + compressed.byteLength);
  bytes.set(codec, 0);
  bytes.set(compressed, codec.byteLength);
  return `did:key:${base58btc.encode(bytes)}`;
}

/**
 * The 33-byte SEC1 compressed form (DIDKEY-04) of a P-256 key given as 65-byte uncompressed or
 * 33-byte compressed SEC1. The point is validated either way.
 */
export function compressPublicKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.byteLength !== COMPRESSED_LENGTH && publicKey.byteLength !== 65) {
    throw new DidKeyError('InvalidPublicKey', 'invalid P-256 public key: expected 33 or 65 SEC1 bytes');
  }
  try {
    return p256.Point.fromBytes(publicKey).toBytes(true);
  } catch (error) {
    throw new DidKeyError('InvalidPublicKey', 'invalid P-256 public key: point not on curve', {
      cause: error,
    });
  }
}
