import { createHmac, randomBytes } from 'node:crypto';

/** Bytes of process secret behind pseudonyms (PRESENCE-4). */
export const PSEUDONYM_SECRET_BYTES = 32;

export function newPseudonymSecret(): Uint8Array {
  return randomBytes(PSEUDONYM_SECRET_BYTES);
}

const SEPARATOR = Buffer.from([0]);

/**
 * hex(first 16 bytes of HMAC-SHA256(secret, connectionId ‖ 0x00 ‖ space)): 32 lower-case hex characters,
 * stable per (connection, space) and unlinkable across spaces (PRESENCE-4).
 */
export function derivePseudonym(secret: Uint8Array, connectionId: string, space: string): string {
  return createHmac('sha256', secret)
    .update(connectionId, 'utf8')
    .update(SEPARATOR)
    .update(space, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('hex');
}
