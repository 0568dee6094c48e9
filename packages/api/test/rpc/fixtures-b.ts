/** Shared fixtures of helper B's end-to-end tests (membership, invitation, epoch, deks, presence). */
import { createHash, randomUUID } from 'node:crypto';
import type { TestClient, TestServer } from '../harness/index.js';

export const sha256 = (bytes: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(bytes).digest());

/** Params of a valid membership.append of `payload` on top of `prevHash`. */
export function appendParams(
  space: string,
  expectedVersion: number,
  payload: Uint8Array,
  prevHash?: Uint8Array,
  ucan?: string,
): Record<string, unknown> {
  return {
    space,
    ucan,
    expected_version: expectedVersion,
    prev_hash: prevHash,
    entry_hash: sha256(payload),
    payload,
  };
}

/** A 44-byte wrapped DEK whose first four bytes are the big-endian epoch. */
export function wrappedDek(epoch: number, fill = 0xaa): Uint8Array {
  const dek = new Uint8Array(44).fill(fill);
  new DataView(dek.buffer).setInt32(0, epoch, false);
  return dek;
}

/** Push new records (each with a DEK at `epoch`) through the API; returns their ids. */
export async function pushRecords(
  client: TestClient,
  space: string,
  count: number,
  epoch = 1,
  ucan?: string,
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const result = await client.call('push', {
    space,
    ucan,
    changes: ids.map((id, i) => ({
      id,
      blob: Uint8Array.of(i),
      expected_cursor: 0,
      dek: wrappedDek(epoch, i),
    })),
  });
  if (result.ok !== true) throw new Error(`push failed: ${JSON.stringify(result)}`);
  return ids;
}

const TABLES = ['spaces', 'members', 'revocations', 'invitations', 'records', 'files', 'rate_limit_actions'];

/** Every row of every table the B methods touch, for "changes nothing in the database" assertions. */
export async function snapshot(server: TestServer): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = await server.query(`SELECT * FROM ${table} ORDER BY 1, 2`);
  return out;
}

/** Let in-flight frames arrive (negative checks: "nothing came"). */
export const settle = (ms = 150): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
