import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison for MACs and keys (ENC-02). Lengths are public (fixed-size MACs and
 * keys), so a length mismatch returns false at once; `timingSafeEqual` would throw instead.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}
