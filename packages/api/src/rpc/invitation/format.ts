/** Invitation results (RPC-INV-1): RFC 3339 timestamps and the `{id, payload, created_at, expires_at}` shape. */
import type { InvitationCreateResult } from '@less-sync/core';
import type { Invitation } from '@less-sync/storage';

const MICROS_PER_SECOND = 1_000_000;
const lossyUtf8 = new TextDecoder('utf-8', { fatal: false });

/** Thrown for a timestamp that is not an exact microsecond count; mapped to `internal`. */
export class TimestampFormatError extends Error {
  override readonly name = 'TimestampFormatError';
}

/**
 * UTC with a `Z` suffix; fractional seconds only when non-zero, at microsecond precision with trailing
 * zeros trimmed (the reference's format, e.g. `2023-11-14T22:13:20.5Z`).
 */
export function formatRfc3339Micros(micros: number): string {
  // Safe integers span years 1684–2255, all within RFC 3339's four-digit years.
  if (!Number.isSafeInteger(micros)) throw new TimestampFormatError('timestamp is not an exact integer');
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  const fraction = micros - seconds * MICROS_PER_SECOND;
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (fraction === 0) return `${whole}Z`;
  return `${whole}.${String(fraction).padStart(6, '0').replace(/0+$/, '')}Z`;
}

/** The wire shape of one invitation; the payload bytes become text, invalid UTF-8 replaced. */
export function invitationResult(invitation: Invitation): InvitationCreateResult {
  return {
    id: invitation.id,
    payload: lossyUtf8.decode(invitation.payload),
    created_at: formatRfc3339Micros(invitation.createdAtMicros),
    expires_at: formatRfc3339Micros(invitation.expiresAtMicros),
  };
}
