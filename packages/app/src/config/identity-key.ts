import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { readTrimmed } from './env.js';
import { ConfigError } from './errors.js';
import type { Env, IdentityHashKeyConfig } from './types.js';

export const IDENTITY_HASH_KEY_GENERATED_WARNING =
  'IDENTITY_HASH_KEY is not set: a random key is generated once and stored in the database, so every ' +
  'instance and every restart share it; set IDENTITY_HASH_KEY to 64 hex characters to manage it yourself';

/**
 * CONFIG-06 `IDENTITY_HASH_KEY`: 64 hex characters (either case, no `0x`), trimmed. Returns undefined
 * when unset or blank.
 */
export function parseIdentityHashKey(env: Env): Uint8Array | undefined {
  const raw = readTrimmed(env, 'IDENTITY_HASH_KEY');
  if (raw === undefined) return undefined;
  if (raw.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(raw)) {
    throw new ConfigError('IDENTITY_HASH_KEY', 'IDENTITY_HASH_KEY must be valid hex');
  }
  const key = Buffer.from(raw, 'hex');
  if (key.length !== 32) {
    throw new ConfigError(
      'IDENTITY_HASH_KEY',
      `IDENTITY_HASH_KEY must be 64 hex characters (32 bytes), got ${key.length} bytes`,
    );
  }
  return new Uint8Array(key);
}

/**
 * R12: rate limiting stays on without a configured key; a random one is made instead (counts then
 * reset on restart, which the caller reports as a warning).
 */
export function resolveIdentityHashKey(
  env: Env,
  randomBytes: (size: number) => Uint8Array = nodeRandomBytes,
): IdentityHashKeyConfig {
  const configured = parseIdentityHashKey(env);
  if (configured !== undefined) return { key: configured, generated: false };
  return { key: new Uint8Array(randomBytes(32)), generated: true };
}
