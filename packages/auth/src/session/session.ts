import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../encoding/bytes.js';
import { type Clock, systemClock } from '../encoding/clock.js';
import { AuthConfigError, AuthPackageError } from '../errors/base.js';
import {
  type Permission,
  PermissionError,
  permissionFromByte,
  permissionToByte,
} from '../permission/permission.js';

export const SESSION_VERSION = 1;
export const SESSION_TOKEN_LENGTH = 58;
const HEADER_LENGTH = 26;
const KEY_LENGTH = 32;
const I64_MAX = (1n << 63n) - 1n;

export type SessionErrorKind =
  | 'InvalidSession'
  | 'SessionExpired'
  | 'InvalidKeyLength'
  | 'ExpiryBeforeUnixEpoch'
  | 'ExpiryOutOfRange'
  | 'InvalidPermission';

export class SessionError extends AuthPackageError<SessionErrorKind> {
  readonly area = 'session' as const;
  override readonly name = 'SessionError';
}

export interface SessionClaims {
  readonly spaceId: string;
  readonly permission: Permission;
  /** Unix seconds. */
  readonly expiresAt: number;
}

export interface SessionManagerOptions {
  readonly now?: Clock;
  /** CSPRNG for the 16-byte nonce; injectable only so tests can reproduce vectors. */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/**
 * Space session tokens (SESSION-01..05): 58 binary bytes
 * `version(1) ‖ expiry u64 BE(8) ‖ permission(1) ‖ nonce(16) ‖ HMAC-SHA256(key, bytes[0..26) ‖ spaceId)`.
 * The space id is bound only through the MAC.
 */
export class SessionManager {
  private readonly key: Buffer;
  private readonly now: Clock;
  private readonly random: (length: number) => Uint8Array;

  constructor(
    key: Uint8Array,
    readonly ttlMs: number,
    options: SessionManagerOptions = {},
  ) {
    if (key.byteLength !== KEY_LENGTH) {
      throw new SessionError('InvalidKeyLength', `session HMAC key must be 32 bytes, got ${key.byteLength}`, {
        detail: String(key.byteLength),
      });
    }
    this.key = Buffer.from(key);
    this.now = options.now ?? systemClock;
    this.random = options.randomBytes ?? randomBytes;
  }

  /** The reference's `from_key_bytes`: same as the constructor, which already checks the length. */
  static fromKeyBytes(key: Uint8Array, ttlMs: number, options?: SessionManagerOptions): SessionManager {
    return new SessionManager(key, ttlMs, options);
  }

  get ttl(): number {
    return this.ttlMs;
  }

  issueToken(spaceId: string, permission: Permission): Uint8Array {
    const expiryMs = this.now() + this.ttlMs;
    if (!Number.isFinite(expiryMs) || expiryMs / 1000 > Number(I64_MAX))
      throw new SessionError('ExpiryOutOfRange', 'session expiry is out of range');
    if (expiryMs < 0) throw new SessionError('ExpiryBeforeUnixEpoch', 'session expiry before unix epoch');
    const token = Buffer.alloc(SESSION_TOKEN_LENGTH);
    token[0] = SESSION_VERSION;
    token.writeBigUInt64BE(BigInt(Math.floor(expiryMs / 1000)), 1);
    token[9] = permissionToByte(permission);
    const nonce = this.random(16);
    if (nonce.byteLength !== 16) throw new AuthConfigError('randomBytes returned a wrong length');
    token.set(nonce, 10);
    token.set(this.mac(token.subarray(0, HEADER_LENGTH), spaceId), HEADER_LENGTH);
    return token;
  }

  validateToken(token: Uint8Array, spaceId: string): SessionClaims {
    if (token.byteLength !== SESSION_TOKEN_LENGTH || token[0] !== SESSION_VERSION) {
      throw new SessionError('InvalidSession', 'invalid session token');
    }
    const bytes = Buffer.from(token.buffer, token.byteOffset, token.byteLength);
    if (
      !constantTimeEqual(bytes.subarray(HEADER_LENGTH), this.mac(bytes.subarray(0, HEADER_LENGTH), spaceId))
    ) {
      throw new SessionError('InvalidSession', 'invalid session token');
    }
    const expiry = bytes.readBigUInt64BE(1);
    if (expiry > I64_MAX) throw new SessionError('InvalidSession', 'invalid session token');
    const expiresAt = Number(expiry);
    if (this.now() > expiresAt * 1000) throw new SessionError('SessionExpired', 'session token expired');
    let permission: Permission;
    try {
      permission = permissionFromByte(bytes[9] as number);
    } catch (error) {
      const message = error instanceof PermissionError ? error.message : String(error);
      throw new SessionError('InvalidPermission', `invalid session permission: ${message}`, { cause: error });
    }
    return { spaceId, permission, expiresAt };
  }

  private mac(header: Uint8Array, spaceId: string): Buffer {
    return createHmac('sha256', this.key).update(header).update(spaceId, 'utf8').digest();
  }
}
