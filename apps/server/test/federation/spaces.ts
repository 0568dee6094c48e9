import { randomUUID } from 'node:crypto';
import { DeviceKey } from '../ucan.js';
import { type Client, connect } from './client.js';
import type { Pair } from './pair.js';
import { onSchema, type Server } from './support.js';

/** A client of one server with its own device key (the audience of its UCANs). */
export interface Member {
  readonly client: Client;
  readonly device: DeviceKey;
  readonly mailbox: string;
  readonly personalSpace: string;
  /** A root-issued UCAN for the shared space. */
  readonly ucan: string;
}

export interface SharedSpace {
  readonly id: string;
  readonly root: DeviceKey;
  /** Adds a member on `server` (A or B) holding `cmd` on the space. */
  member(server: Server, cmd?: '/space/read' | '/space/write' | '/space/admin'): Promise<Member>;
}

const clients: Client[] = [];

/** Closes every client the suite opened. */
export function closeClients(): void {
  for (const c of clients.splice(0)) c.close();
}

export async function member(
  server: Server,
  issue: (did: string) => string,
): Promise<Member & { token: string }> {
  const device = new DeviceKey();
  const minted = await server.token(`u-${randomUUID()}`, device.did);
  const client = await connect(server.wsUrl, minted.token);
  clients.push(client);
  return {
    client,
    device,
    token: minted.token,
    mailbox: minted.mailbox,
    personalSpace: minted.space,
    ucan: issue(device.did),
  };
}

export interface SeedOptions {
  /** Create the space on A too (default true): without it A answers `not_found`. */
  readonly onHome?: boolean;
  /** A different root key on A, so every UCAN B accepts is refused at A. */
  readonly foreignRootOnHome?: boolean;
  /** B's `home_server` value (default `http://127.0.0.1:<A's port>`). */
  readonly homeServer?: string;
}

/**
 * federation spec §8 step 4: the space exists on A (its home) and on B with the same id and root key, and
 * B's row names A as its home. The space is created through ordinary clients; only `home_server` is set
 * in B's database, as an operator or a later migration tool would.
 */
export async function seedSharedSpace(pair: Pair, options: SeedOptions = {}): Promise<SharedSpace> {
  const id = randomUUID();
  const root = new DeviceKey();
  const creatorB = await member(pair.b, () => '');
  await creatorB.client.call('space.create', { id, root_public_key: root.publicKey });
  if (options.onHome ?? true) {
    const creatorA = await member(pair.a, () => '');
    const rootOnA = options.foreignRootOnHome ? new DeviceKey() : root;
    await creatorA.client.call('space.create', { id, root_public_key: rootOnA.publicKey });
  }
  const home = options.homeServer ?? `http://127.0.0.1:${pair.a.port}`;
  await onSchema(pair.schemaB, (c) =>
    c.query('UPDATE spaces SET home_server = $1 WHERE id = $2', [home, id]),
  );
  return {
    id,
    root,
    member: (server, cmd = '/space/write') => member(server, (did) => root.issue(did, id, cmd)),
  };
}

/** A space's cursor as one server stored it. */
export async function storedCursor(pair: Pair, side: 'a' | 'b', space: string): Promise<number> {
  const schema = side === 'a' ? pair.schemaA : pair.schemaB;
  const { rows } = await onSchema(schema, (c) =>
    c.query<{ cursor: string }>('SELECT cursor FROM spaces WHERE id = $1', [space]),
  );
  return Number(rows[0]?.cursor ?? Number.NaN);
}

/** One change of a new record. */
export const change = (bytes = 16, cursor = 0) => ({
  id: randomUUID(),
  blob: new Uint8Array(bytes).fill(7),
  expected_cursor: cursor,
});

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
