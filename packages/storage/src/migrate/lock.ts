import type { SqlQueryable } from '../pg/types.js';
import { MigrationError } from './errors.js';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32/ISO-HDLC (the zlib/IEEE one). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The advisory-lock key the reference's migrator (sqlx) takes: 0x3d32ad9e × CRC32(database name).
 * Taking the same key makes the two migrators exclude each other. Always fits a signed 64-bit.
 */
export function advisoryLockKey(databaseName: string): bigint {
  return 0x3d32ad9en * BigInt(crc32(new TextEncoder().encode(databaseName)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the session-level migration lock, polling until `timeoutMs`. Returns the key to release. */
export async function acquireMigrationLock(session: SqlQueryable, timeoutMs: number): Promise<string> {
  const { rows } = await session.query<{ name: string }>('SELECT current_database() AS name');
  const key = advisoryLockKey(rows[0]?.name ?? '').toString();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
      key,
    ]);
    if (result.rows[0]?.ok) return key;
    if (Date.now() >= deadline) {
      throw new MigrationError(
        'lock_timeout',
        `another migrator held the migration lock for more than ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await sleep(Math.min(250, Math.max(1, deadline - Date.now())));
  }
}

export async function releaseMigrationLock(session: SqlQueryable, key: string): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
}
