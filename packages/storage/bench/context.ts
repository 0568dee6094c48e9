/**
 * Shared setup for the storage benchmarks: a fresh migrated schema on the real server named by
 * TEST_DATABASE_URL (or DATABASE_URL), the storage under test, and a plain `pg` pool for the
 * "floor" variants that issue the same SQL directly.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgExecutor, migrate, openStorage, type Storage } from '../src/index.js';

export const benchUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

export function skipNotice(name: string): void {
  if (!benchUrl) {
    process.stderr.write(
      `Skipping ${name}: set TEST_DATABASE_URL to a PostgreSQL server to run storage benchmarks\n`,
    );
  }
}

export interface BenchContext {
  readonly schema: string;
  readonly storage: Storage;
  /** For the floor variants: same server, same schema, same pool size. */
  readonly floor: pg.Pool;
  close(): Promise<void>;
}

export async function benchContext(url: string): Promise<BenchContext> {
  const schema = `bench_storage_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const executor = createPgExecutor({ connectionString: url, searchPath: schema, max: 4 });
  await migrate(executor);
  const storage = openStorage(executor);
  const floor = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  return {
    schema,
    storage,
    floor,
    async close() {
      await storage.close();
      await executor.close();
      await floor.end();
      const drop = new pg.Client({ connectionString: url });
      await drop.connect();
      await drop.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await drop.end();
    },
  };
}

/** `019400e8-7b5d-7000-8000-` + a 12-digit counter, as the reference benches do. */
export function benchRecordId(n: number): string {
  return `019400e8-7b5d-7000-8000-${String(n).padStart(12, '0')}`;
}

export function wrappedDekWithEpoch(epoch: number, fill: number): Uint8Array {
  const dek = new Uint8Array(44).fill(fill);
  new DataView(dek.buffer).setInt32(0, epoch, false);
  return dek;
}

export const BENCH_BLOB = new TextEncoder().encode('bench-data');
