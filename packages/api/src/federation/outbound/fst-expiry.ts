/** FED-KEY-07: bytes of a federation subscribe token and where its expiry sits. */
const FST_LEN = 105;
const EXPIRY_OFFSET = 65;

/**
 * The expiry (ms since the epoch) of a home server's FST, read from its public layout (FED-KEY-07) so the
 * origin can renew before it lapses. Undefined for anything that is not a well-formed token.
 */
export function fstExpiryMs(token: string): number | undefined {
  if (token === '' || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== FST_LEN) return undefined;
  const seconds = bytes.readBigUInt64BE(EXPIRY_OFFSET);
  if (seconds > BigInt(Number.MAX_SAFE_INTEGER) / 1000n) return undefined;
  return Number(seconds) * 1000;
}
