import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@less-sync/storage/testing';
import { pino } from 'pino';
import type { Env } from '../../src/config/types.js';
import { createServer, type LessSyncServer, loadConfig } from '../../src/index.js';

export interface ServerFixture {
  readonly server: LessSyncServer;
  readonly dir: string;
  readonly db: TestDatabase | undefined;
  readonly env: Env;
  /** Base URL once listening. */
  readonly url: string;
  readonly wsUrl: string;
  close(): Promise<void>;
}

/**
 * Environment for a server on an ephemeral loopback port (so the development issuer is on), a temp
 * data directory and local file storage. With TEST_DATABASE_URL each fixture gets its own schema;
 * without it the embedded database in the temp directory.
 */
export async function serverEnv(
  extra: Env = {},
): Promise<{ env: Env; dir: string; db: TestDatabase | undefined }> {
  const dir = await mkdtemp(join(tmpdir(), 'less-sync-app-'));
  const base: Record<string, string> = {
    LISTEN_ADDR: '127.0.0.1:0',
    LESS_SYNC_DATA_DIR: dir,
    FILE_STORAGE_BACKEND: 'local',
    FILE_STORAGE_PATH: join(dir, 'files'),
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '3000',
  };
  let db: TestDatabase | undefined;
  if (process.env.TEST_DATABASE_URL) {
    db = await createTestDatabase();
    const url = new URL(db.connectionString as string);
    url.searchParams.set('options', `-csearch_path=${db.schema}`);
    base.DATABASE_URL = url.href;
  }
  return { env: { ...base, ...extra }, dir, db };
}

export async function startServer(
  extra: Env = {},
  options: { listen?: boolean } = {},
): Promise<ServerFixture> {
  const { env, dir, db } = await serverEnv(extra);
  const server = await createServer(loadConfig(env), {
    logger: pino({ level: 'silent' }),
    processMetrics: false,
  });
  const address = options.listen === false ? undefined : await server.listen();
  const url = address?.url ?? '';
  return {
    server,
    dir,
    db,
    env,
    url,
    wsUrl: `${url.replace('http://', 'ws://')}/api/v1/ws`,
    async close() {
      await server.close();
      await db?.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A development token for `user` from the running server. */
export async function devToken(url: string, user: string, query = ''): Promise<Record<string, string>> {
  const res = await fetch(`${url}/dev/token?user=${user}${query}`);
  if (res.status !== 200) throw new Error(`dev token: HTTP ${res.status}`);
  return (await res.json()) as Record<string, string>;
}
