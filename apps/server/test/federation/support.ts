/**
 * Two real servers on loopback for the federation suite (federation spec §8): A is the home of the shared
 * spaces, B the origin its clients talk to. Each has its own PostgreSQL schema, a signing key made by the
 * real `federation-keygen` process, and trust configured only through the documented environment.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPgExecutor, migrate } from '@less-sync/storage';
import pg from 'pg';
import { type Child, freePort, startChild } from '../child.js';
import { buildServer } from '../cluster/support.js';
import { admin, BASE_URL, postgresReachable } from '../database.js';

const run = promisify(execFile);

export const FEDERATION_WS_PATH = '/api/v1/federation/ws';
const KEYGEN_DIR = fileURLToPath(new URL('../../../federation-keygen/', import.meta.url));
const KEYGEN_MAIN = fileURLToPath(new URL('../../../federation-keygen/dist/main.js', import.meta.url));

export { admin, BASE_URL, postgresReachable };

/** A fresh, migrated schema; its URL pins `search_path` to it. */
export interface Schema {
  readonly name: string;
  readonly url: string;
}

export async function createSchema(prefix: string): Promise<Schema> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await admin((c) => c.query(`CREATE SCHEMA "${name}"`));
  const url = new URL(BASE_URL);
  url.searchParams.set('options', `-csearch_path=${name}`);
  const schema = { name, url: url.toString() };
  const executor = createPgExecutor({ connectionString: schema.url, max: 1 });
  try {
    await migrate(executor);
  } finally {
    await executor.close();
  }
  return schema;
}

export async function dropSchema(schema: Schema | undefined): Promise<void> {
  if (schema === undefined) return;
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema.name}" CASCADE`));
}

/** Runs SQL on one server's schema (seeding `home_server`, reading what a server stored). */
export async function onSchema<T>(schema: Schema, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Builds the server and the key tool (project references build every package they need). */
export function buildAll(): void {
  buildServer();
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url)), '-b'],
    {
      cwd: KEYGEN_DIR,
      stdio: 'pipe',
    },
  );
}

/** What `federation-keygen --print-private` printed for one server. */
export interface GeneratedKey {
  readonly keyId: string;
  readonly domain: string;
  readonly trustedEntry: string;
  /** The 32-byte Ed25519 seed, for signing test upgrades as that server. */
  readonly seed: Uint8Array;
}

/** FED-KEY-03: the key tool as an operator runs it, against the server's own database. */
export async function keygen(schema: Schema, domain: string): Promise<GeneratedKey> {
  const { stdout } = await run(process.execPath, [KEYGEN_MAIN, '--domain', domain, '--print-private'], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: schema.url },
    timeout: 60_000,
  });
  const field = (name: string) => {
    const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
    if (line === undefined) throw new Error(`federation-keygen printed no ${name}: ${stdout}`);
    return line.slice(name.length + 1);
  };
  if (field('promoted_for_signing') !== 'true') throw new Error(`key not promoted: ${stdout}`);
  return {
    keyId: field('key_id'),
    domain,
    trustedEntry: field('trusted_keys_entry'),
    seed: new Uint8Array(Buffer.from(field('private_seed_base64url'), 'base64url')),
  };
}

/** One server process; `restart` brings it back on the same port with the same environment. */
export interface Server {
  readonly child: Child;
  readonly port: number;
  readonly base: string;
  readonly wsUrl: string;
  readonly fedUrl: string;
  readonly env: Record<string, string>;
  token(user: string, did?: string): Promise<{ token: string; space: string; mailbox: string }>;
}

export async function startServer(env: Record<string, string>, port?: number): Promise<Server> {
  const bound = port ?? (await freePort());
  const child = startChild({ ...env, LISTEN_ADDR: `127.0.0.1:${bound}`, LOG_LEVEL: env.LOG_LEVEL ?? 'info' });
  await child.waitFor(/"msg":"server listening"/, 120_000);
  const base = `http://127.0.0.1:${bound}`;
  return {
    child,
    port: bound,
    base,
    wsUrl: `ws://127.0.0.1:${bound}/api/v1/ws`,
    fedUrl: `ws://127.0.0.1:${bound}${FEDERATION_WS_PATH}`,
    env,
    async token(user, did) {
      const query = new URLSearchParams({ user, ...(did === undefined ? {} : { did }) });
      const minted = (await (await fetch(`${base}/dev/token?${query}`)).json()) as Record<string, string>;
      if (minted.token === undefined) throw new Error(`no dev token: ${JSON.stringify(minted)}`);
      return {
        token: String(minted.token),
        space: String(minted.personal_space_id),
        mailbox: String(minted.mailbox_id),
      };
    },
  };
}

/** SIGKILL and wait (SIGCONT first, so a stopped process can die). */
export async function killServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  const proc = server.child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGCONT');
  proc.kill('SIGKILL');
  await server.child.exited;
}

// One raw-upgrade helper for the in-process and the process suites.
export { type UpgradeAnswer, upgrade } from '../../../../packages/api/test/federation/upgrade.js';

/** The sum of the Prometheus samples of `name` carrying `labels` (0 when there are none). */
export async function metric(
  server: Server,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
