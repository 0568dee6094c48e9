import { createHash, createHmac, randomBytes } from 'node:crypto';
import { decodeBase64Url, encodeBase64Url } from '../encoding/base64.js';
import { constantTimeEqual } from '../encoding/bytes.js';
import { type Clock, systemClock } from '../encoding/clock.js';
import { AuthConfigError, AuthPackageError } from '../errors/base.js';
import { canonicalizeDomain } from './domain.js';
import { bytesToUuid, uuidToBytes } from './uuid.js';

export const FST_VERSION = 1;
export const FST_TOKEN_LEN = 105;
/** Longest lifetime of a federation subscribe token, in seconds (24 h). */
export const FST_MAX_EXPIRY_SECONDS = 86_400;
const KEY_LABEL = Buffer.from('fst-key-v1', 'ascii');
const MAC_OFFSET = 73;
const I64_MAX = (1n << 63n) - 1n;

export type FederationTokenErrorKind =
  | 'InvalidToken'
  | 'ExpiredToken'
  | 'ExpiryBeforeUnixEpoch'
  | 'InvalidHmacKey';

const MESSAGES: Record<FederationTokenErrorKind, string> = {
  InvalidToken: 'invalid federation subscribe token',
  ExpiredToken: 'federation subscribe token expired',
  ExpiryBeforeUnixEpoch: 'federation token expiry before unix epoch',
  InvalidHmacKey: 'invalid federation HMAC key',
};

export class FederationTokenError extends AuthPackageError<FederationTokenErrorKind> {
  readonly area = 'fst' as const;
  override readonly name = 'FederationTokenError';

  constructor(kind: FederationTokenErrorKind, reason?: string) {
    super(kind, MESSAGES[kind], reason === undefined ? undefined : { detail: reason });
  }
}

export interface FederationSubscribeClaims {
  /** Lowercase hyphenated UUID. */
  readonly spaceId: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

export interface FstOptions {
  readonly now?: Clock;
  /** CSPRNG for the 16-byte nonce; injectable only so tests can reproduce vectors. */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/** FST-02: HMAC-SHA256(baseSecret, "fst-key-v1"); any secret length is accepted. */
export function deriveFstKey(baseSecret: Uint8Array): Uint8Array {
  return createHmac('sha256', baseSecret).update(KEY_LABEL).digest();
}

/**
 * FST-04: `version ‖ nonce(16) ‖ space uuid(16) ‖ SHA-256(canonical peer)(32) ‖ expiry u64 BE ‖
 * HMAC(key, bytes[0..73))`, base64url without padding. Expiry is now + 24 h, or the UCAN's expiry
 * (Unix seconds) when earlier, even if that is already past.
 */
export function createFst(
  key: Uint8Array,
  spaceId: string,
  peerDomain: string,
  ucanExpiresAt?: number,
  options: FstOptions = {},
): string {
  const space = uuidToBytes(spaceId);
  if (space === undefined) throw new AuthConfigError(`space id is not a UUID: ${spaceId}`);
  const nowMs = (options.now ?? systemClock)();
  let expiresAtMs = nowMs + FST_MAX_EXPIRY_SECONDS * 1000;
  if (ucanExpiresAt !== undefined && ucanExpiresAt * 1000 < expiresAtMs) expiresAtMs = ucanExpiresAt * 1000;
  if (!(expiresAtMs >= 0)) throw new FederationTokenError('ExpiryBeforeUnixEpoch');
  const nonce = (options.randomBytes ?? randomBytes)(16);
  if (nonce.byteLength !== 16) throw new AuthConfigError('randomBytes returned a wrong length');

  const token = Buffer.alloc(FST_TOKEN_LEN);
  token[0] = FST_VERSION;
  token.set(nonce, 1);
  token.set(space, 17);
  token.set(domainHash(peerDomain), 33);
  token.writeBigUInt64BE(BigInt(Math.floor(expiresAtMs / 1000)), 65);
  token.set(mac(key, token.subarray(0, MAC_OFFSET)), MAC_OFFSET);
  return encodeBase64Url(token);
}

/** FST-05: decode, length/version, MAC, peer binding, expiry; first failure wins. */
export function verifyFst(
  key: Uint8Array,
  token: string,
  peerDomain: string,
  options: Pick<FstOptions, 'now'> = {},
): FederationSubscribeClaims {
  let bytes: Buffer;
  try {
    bytes = decodeBase64Url(token);
  } catch {
    throw new FederationTokenError('InvalidToken', 'not base64url');
  }
  if (bytes.byteLength !== FST_TOKEN_LEN || bytes[0] !== FST_VERSION) {
    throw new FederationTokenError('InvalidToken', 'wrong length or version');
  }
  if (!constantTimeEqual(bytes.subarray(MAC_OFFSET), mac(key, bytes.subarray(0, MAC_OFFSET)))) {
    throw new FederationTokenError('InvalidToken', 'MAC');
  }
  if (!constantTimeEqual(bytes.subarray(33, 65), domainHash(peerDomain))) {
    throw new FederationTokenError('InvalidToken', 'peer domain');
  }
  const expiry = bytes.readBigUInt64BE(65);
  if (expiry > I64_MAX) throw new FederationTokenError('InvalidToken', 'expiry out of range');
  const expiresAt = Number(expiry);
  if ((options.now ?? systemClock)() > expiresAt * 1000) throw new FederationTokenError('ExpiredToken');
  return { spaceId: bytesToUuid(bytes.subarray(17, 33)), expiresAt };
}

/**
 * FST-06: the primary key first; on any failure, when a previous key is configured, its result
 * (success or error) is returned instead. So an expired token minted with the primary key reports
 * the previous key's InvalidToken, as in the reference.
 */
export function verifyFstDualKey(
  primaryKey: Uint8Array,
  previousKey: Uint8Array | undefined,
  token: string,
  peerDomain: string,
  options: Pick<FstOptions, 'now'> = {},
): FederationSubscribeClaims {
  try {
    return verifyFst(primaryKey, token, peerDomain, options);
  } catch (error) {
    if (previousKey === undefined) throw error;
    return verifyFst(previousKey, token, peerDomain, options);
  }
}

function mac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function domainHash(peerDomain: string): Buffer {
  return createHash('sha256').update(canonicalizeDomain(peerDomain), 'utf8').digest();
}
