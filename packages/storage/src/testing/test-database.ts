/**
 * Gives each test its own fresh PostgreSQL schema. Backend order:
 *   1. TEST_DATABASE_URL or DATABASE_URL (a real server),
 *   2. a testcontainers `postgres:18-alpine` when a Docker engine is reachable,
 *   3. an embedded PGlite.
 * With CI=true only a real server is acceptable: the helper throws rather than fall back, so the
 * PostgreSQL suites can never silently run elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type TestDatabaseBackend = 'postgres' | 'testcontainers' | 'pglite';

export interface TestDatabase {
  readonly backend: TestDatabaseBackend;
  /** Fresh schema owned by this test; dropped by `drop()`. */
  readonly schema: string;
  /** Server URL for `postgres` and `testcontainers`; undefined for PGlite. */
  readonly connectionString: string | undefined;
  /** The embedded instance for `pglite`; its search_path is already the schema. */
  readonly pglite: PGlite | undefined;
  /** Whether this backend allows several concurrent connections. */
  readonly multiConnection: boolean;
  drop(): Promise<void>;
}

interface ServerHandle {
  backend: 'postgres' | 'testcontainers';
  url: string;
}

let server: Promise<ServerHandle | undefined> | undefined;
let announced = false;

function envUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

function dockerReachable(): boolean {
  if (process.env.DOCKER_HOST) return true;
  return existsSync('/var/run/docker.sock');
}

async function startContainer(): Promise<ServerHandle | undefined> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:18-alpine').start();
    return { backend: 'testcontainers', url: container.getConnectionUri() };
  } catch {
    return undefined; // socket present but no working engine: fall through to PGlite
  }
}

async function resolveServer(): Promise<ServerHandle | undefined> {
  const url = envUrl();
  if (url) return { backend: 'postgres', url };
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(
      'CI requires a real PostgreSQL: set TEST_DATABASE_URL (the .ci/run script starts the local server)',
    );
  }
  return dockerReachable() ? startContainer() : undefined;
}

function announce(backend: TestDatabaseBackend, where: string): void {
  if (announced) return;
  announced = true;
  process.stderr.write(`[test-database] backend=${backend} ${where}\n`);
}

/** Which backend the next `createTestDatabase()` will use (resolving it once per process). */
export async function testDatabaseBackend(): Promise<TestDatabaseBackend> {
  server ??= resolveServer();
  return (await server)?.backend ?? 'pglite';
}

export function newSchemaName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  server ??= resolveServer();
  const handle = await server;
  const schema = newSchemaName();
  if (handle) {
    announce(handle.backend, new URL(handle.url).host);
    const client = new pg.Client({ connectionString: handle.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
    } finally {
      await client.end();
    }
    return {
      backend: handle.backend,
      schema,
      connectionString: handle.url,
      pglite: undefined,
      multiConnection: true,
      async drop() {
        const c = new pg.Client({ connectionString: handle.url });
        await c.connect();
        try {
          await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await c.end();
        }
      },
    };
  }
  announce('pglite', 'in-memory');
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  await db.exec(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
  return {
    backend: 'pglite',
    schema,
    connectionString: undefined,
    pglite: db,
    multiConnection: false,
    async drop() {
      await db.close();
    },
  };
}
