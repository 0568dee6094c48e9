import { randomBytes } from 'node:crypto';
import { freePort } from '../child.js';
import {
  createSchema,
  dropSchema,
  type GeneratedKey,
  keygen,
  killServer,
  type Schema,
  type Server,
  startServer,
} from './support.js';

export const DOMAIN_A = 'a.fed.test';
export const DOMAIN_B = 'b.fed.test';

/** A (home) and B (origin): own schemas, own keys, each trusting the other's `trusted_keys_entry`. */
export interface Pair {
  a: Server;
  b: Server;
  readonly schemaA: Schema;
  readonly schemaB: Schema;
  readonly keyA: GeneratedKey;
  readonly keyB: GeneratedKey;
  /** SIGKILL A. */
  killA(): Promise<void>;
  /** Start A again on its port with its environment (killing it first if it still runs). */
  restartA(): Promise<Server>;
  stop(): Promise<void>;
}

export interface PairOptions {
  /** Extra environment for A, e.g. lower quotas. */
  readonly envA?: Record<string, string>;
  /** Extra environment for B given A's listening port (peer URL mapping, call deadline). */
  readonly envB?: (a: Server) => Record<string, string>;
  /** A's own environment given its port, e.g. PUBLIC_URL behind a proxy. */
  readonly envAFor?: (port: number) => Record<string, string>;
  readonly portA?: number;
}

/**
 * federation spec §8 steps 1-3: two schemas, migrated; one key each from `federation-keygen`; trust only
 * through FEDERATION_* variables. B also lists A's loopback address as a trusted domain, which the
 * invitation forwarding check compares with (port kept).
 */
export async function startPair(options: PairOptions = {}): Promise<Pair> {
  const [schemaA, schemaB] = await Promise.all([createSchema('fed_a'), createSchema('fed_b')]);
  const [keyA, keyB] = await Promise.all([keygen(schemaA, DOMAIN_A), keygen(schemaB, DOMAIN_B)]);
  const fstSecret = randomBytes(32).toString('hex');
  const portA = options.portA ?? (await freePort());
  const envA: Record<string, string> = {
    DATABASE_URL: schemaA.url,
    FEDERATION_DOMAIN: DOMAIN_A,
    FEDERATION_TRUSTED_KEYS: keyB.trustedEntry,
    FEDERATION_FST_SECRET: fstSecret,
    ...options.envAFor?.(portA),
    ...options.envA,
  };
  const servers: Server[] = [];
  const pair: Pair = {
    a: undefined as unknown as Server,
    b: undefined as unknown as Server,
    schemaA,
    schemaB,
    keyA,
    keyB,
    killA: () => killServer(pair.a),
    async restartA() {
      await killServer(pair.a);
      pair.a = await startServer(envA, portA);
      servers.push(pair.a);
      return pair.a;
    },
    async stop() {
      await Promise.all(servers.map((s) => killServer(s)));
      await Promise.all([dropSchema(schemaA), dropSchema(schemaB)]);
    },
  };
  try {
    pair.a = await startServer(envA, portA);
    servers.push(pair.a);
    pair.b = await startServer({
      DATABASE_URL: schemaB.url,
      FEDERATION_DOMAIN: DOMAIN_B,
      FEDERATION_TRUSTED_KEYS: keyA.trustedEntry,
      FEDERATION_TRUSTED_DOMAINS: `${DOMAIN_A},127.0.0.1:${portA}`,
      ...options.envB?.(pair.a),
    });
    servers.push(pair.b);
  } catch (err) {
    await pair.stop();
    throw err;
  }
  return pair;
}
