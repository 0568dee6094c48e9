import { createPgPool, migrate, pgExecutor } from '@less-sync/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerFixture, startServer } from './helpers.js';

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function probe(url: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('HTTP-17 probes', () => {
  it('HTTP-17 /livez, /readyz and /startupz answer 200 on a started server, without a token', async () => {
    fixture = await startServer();
    expect(await probe(fixture.url, '/livez')).toEqual({ status: 200, body: { status: 'alive' } });
    expect(await probe(fixture.url, '/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', checks: { draining: 'ok', database: 'ok', migrations: 'ok', broker: 'ok' } },
    });
    expect(await probe(fixture.url, '/startupz')).toEqual({ status: 200, body: { status: 'started' } });
    // /health is unchanged.
    expect(await (await fetch(`${fixture.url}/health`)).text()).toBe('{"status":"healthy"}');
  });

  it('HTTP-17 an advisory check is reported on /readyz but never makes it fail', async () => {
    fixture = await startServer();
    fixture.server.probes.add({ name: 'bus', advisory: true, check: async () => 'degraded (redis): down' });
    const { status, body } = await probe(fixture.url, '/readyz');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', checks: { bus: 'degraded (redis): down' } });
  });

  it('HTTP-17 /startupz is 503 until the server listens', async () => {
    fixture = await startServer({}, { listen: false });
    const res = await fixture.server.app.request('/startupz');
    expect([res.status, await res.json()]).toEqual([503, { status: 'starting' }]);
    expect((await fixture.server.app.request('/livez')).status).toBe(200);
  });

  it('HTTP-17 /readyz is 503 from the start of a graceful shutdown', async () => {
    fixture = await startServer();
    const { server } = fixture;
    const closing = server.close();
    const res = await server.app.request('/readyz');
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(res.status).toBe(503);
    expect(body.checks.draining).toBe('shutting down');
    await closing;
  });

  it('HTTP-17 a subsystem can add a readiness check; a failing or hung one makes /readyz 503', async () => {
    fixture = await startServer();
    fixture.server.probes.add({ name: 'peers', check: async () => 'not connected' });
    const { status, body } = await probe(fixture.url, '/readyz');
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'not ready', checks: { peers: 'not connected', database: 'ok' } });
    fixture.server.probes.add({ name: 'thrower', check: () => Promise.reject(new Error('boom')) });
    expect((await probe(fixture.url, '/readyz')).body).toMatchObject({ checks: { thrower: 'boom' } });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'HTTP-17 /readyz is 503 when the schema is not current (a migration reverted under the running server)',
    async () => {
      fixture = await startServer();
      const pool = createPgPool({ connectionString: fixture.env.DATABASE_URL as string });
      const executor = pgExecutor(pool);
      try {
        await migrate(executor, { direction: 'down', steps: 1 });
      } finally {
        await executor.close();
      }
      const { status, body } = await probe(fixture.url, '/readyz');
      expect(status).toBe(503);
      expect((body.checks as Record<string, string>).migrations).toMatch(/^not current: \d+ pending$/);
    },
  );
});
