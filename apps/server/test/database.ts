/** The PostgreSQL the process suites (cluster, federation) run against, and its admin connection. */
import pg from 'pg';

export const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Reachable (run), unreachable outside CI (skip with a note), unreachable in CI (fail). */
export async function requireService(
  suite: string,
  what: string,
  url: string,
  probe: () => Promise<boolean>,
): Promise<boolean> {
  const up = await probe().catch(() => false);
  if (!up && process.env.CI === 'true') throw new Error(`the ${suite} suite needs ${what} at ${url}`);
  if (!up)
    console.warn(
      `${suite} suite (${what}) skipped: nothing answers at ${url} (set TEST_DATABASE_URL, REDIS_URL or NATS_URL)`,
    );
  return up;
}

export function postgresReachable(suite: string): Promise<boolean> {
  return requireService(suite, 'PostgreSQL', BASE_URL, async () => {
    const probe = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 3_000 });
    try {
      await probe.connect();
      return true;
    } finally {
      await probe.end().catch(() => undefined);
    }
  });
}

export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
