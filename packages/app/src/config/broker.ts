import { readTrimmed } from './env.js';
import { ConfigError } from './errors.js';
import type { DatabaseConfig, Env } from './types.js';

/**
 * How instances of one service tell each other about changes. `memory`: one process (the embedded
 * database). `postgres`: LISTEN/NOTIFY on DATABASE_URL (the default with PostgreSQL). `redis`/`nats`:
 * an existing broker named by BROKER_URL (the URL may carry a password: never log it).
 */
export type BrokerConfig =
  | { readonly kind: 'memory' }
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'redis'; readonly url: string }
  | { readonly kind: 'nats'; readonly url: string };

const SCHEMES: Record<string, 'redis' | 'nats'> = {
  'redis:': 'redis',
  'rediss:': 'redis',
  'nats:': 'nats',
  'tls:': 'nats',
};

/** `BROKER_URL`: unset → PostgreSQL's own LISTEN/NOTIFY (or memory with PGlite); unknown kinds refuse to start. */
export function parseBrokerConfig(env: Env, database: DatabaseConfig): BrokerConfig {
  const raw = readTrimmed(env, 'BROKER_URL');
  if (raw === undefined)
    return database.kind === 'postgres' ? { kind: 'postgres', url: database.url } : { kind: 'memory' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      'BROKER_URL',
      'BROKER_URL must be a URL such as redis://host:6379 or nats://host:4222',
    );
  }
  const kind = SCHEMES[url.protocol];
  if (kind === undefined) {
    throw new ConfigError(
      'BROKER_URL',
      `BROKER_URL has an unsupported scheme "${url.protocol.replace(/:$/, '')}" (use redis://, rediss://, nats:// or tls://)`,
    );
  }
  if (database.kind !== 'postgres') {
    throw new ConfigError(
      'BROKER_URL',
      'BROKER_URL needs DATABASE_URL: the embedded database serves one process',
    );
  }
  return { kind, url: raw };
}

/** Liveness of instances (CLUSTER_HEARTBEAT_MS, CLUSTER_DEAD_AFTER_MS): dead slots and peers go within
 * `deadAfterMs` plus one heartbeat. */
export interface ClusterConfig {
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
}

function positiveMs(env: Env, name: string, fallback: number): number {
  const raw = readTrimmed(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 100 || value > 3_600_000) {
    throw new ConfigError(name, `${name} must be a whole number of milliseconds between 100 and 3600000`);
  }
  return value;
}

export function parseClusterConfig(env: Env): ClusterConfig {
  const heartbeatMs = positiveMs(env, 'CLUSTER_HEARTBEAT_MS', 5_000);
  const deadAfterMs = positiveMs(env, 'CLUSTER_DEAD_AFTER_MS', 15_000);
  if (deadAfterMs < 2 * heartbeatMs) {
    throw new ConfigError(
      'CLUSTER_DEAD_AFTER_MS',
      'CLUSTER_DEAD_AFTER_MS must be at least twice CLUSTER_HEARTBEAT_MS',
    );
  }
  return { heartbeatMs, deadAfterMs };
}
