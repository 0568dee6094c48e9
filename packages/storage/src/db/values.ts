/** Row-value normalisation shared by the stores (pg and PGlite decode some types differently). */

/** int8 arrives as a string (pg) or a number / bigint (PGlite). Cursors stay far below 2^53. */
export function toInt(value: string | number | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A plain Uint8Array view (pg hands out Buffers); no copy. */
export function toBytes(value: Uint8Array): Uint8Array {
  return value.constructor === Uint8Array
    ? value
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export function toOptionalBytes(value: Uint8Array | null): Uint8Array | undefined {
  return value === null ? undefined : toBytes(value);
}
