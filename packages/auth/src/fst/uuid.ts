const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SIMPLE = /^[0-9a-fA-F]{32}$/;

/** The 16 bytes of a UUID in RFC 4122 order (its hex digits in order); undefined if not a UUID. */
export function uuidToBytes(uuid: string): Buffer | undefined {
  if (!HYPHENATED.test(uuid) && !SIMPLE.test(uuid)) return undefined;
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** Lowercase hyphenated form; no version or variant check, as the reference. */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
