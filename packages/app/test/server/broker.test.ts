import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { channelFor } from '../../src/index.js';
import { type ServerFixture, startServer } from './helpers.js';

/**
 * BROKER_URL wiring on a real server (PostgreSQL only: the embedded database has one process). The
 * reachable-broker cases need Redis and NATS; under CI they run, elsewhere they are skipped with a note.
 */
const postgres = process.env.TEST_DATABASE_URL !== undefined;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}
const brokers = { redis: await answers(REDIS_URL), nats: await answers(NATS_URL) };
for (const [name, up] of Object.entries(brokers)) {
  if (!up && process.env.CI === 'true') throw new Error(`the broker wiring tests need ${name}`);
  if (!up) console.warn(`broker wiring test for ${name} skipped: not reachable`);
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Deletes the JetStream stream a server created (raw protocol: the app has no NATS client of its own). */
function dropNatsStream(schema: string): Promise<void> {
  const { hostname, port } = new URL(NATS_URL);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 4222), hostname, () =>
      socket.write(
        `CONNECT {"verbose":false}\r\nPUB $JS.API.STREAM.DELETE.LESS_SYNC_${channelFor(schema)} 0\r\n\r\nPING\r\n`,
      ),
    );
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.on('data', (chunk) => {
      if (chunk.toString().includes('PONG')) done();
    });
    socket.on('error', done);
    socket.setTimeout(5_000, done);
  });
}

let fixture: ServerFixture | undefined;
afterEach(async () => {
  const schema = fixture?.db?.schema;
  const nats = fixture?.env.BROKER_URL === NATS_URL;
  await fixture?.close();
  fixture = undefined;
  if (nats && schema !== undefined) await dropNatsStream(schema);
});

describe.skipIf(!postgres)('BROKER_URL on a running server', () => {
  it.each(['redis', 'nats'] as const)(
    'CLUSTER-05 CLUSTER-06 an unreachable %s broker: the server starts, /health and /readyz show it degraded',
    async (kind) => {
      const port = await deadPort();
      fixture = await startServer({ BROKER_URL: `${kind}://user:pa55word@127.0.0.1:${port}` });
      const health = await get(`${fixture.url}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'degraded',
        broker: { transport: kind, state: 'degraded' },
      });
      expect(JSON.stringify(health.body)).not.toContain('pa55word');
      const ready = await get(`${fixture.url}/readyz`);
      // Advisory: the instance keeps serving local clients, so it stays in the load balancer.
      expect(ready.status).toBe(200);
      const checks = ready.body.checks as Record<string, string>;
      expect(checks.broker).toMatch(new RegExp(`^degraded \\(${kind}\\)`));
      expect(checks.broker).not.toContain('pa55word');
    },
  );

  it.each([
    ['redis', REDIS_URL],
    ['nats', NATS_URL],
  ] as const)('CLUSTER-05 CLUSTER-06 a reachable %s broker: healthy and ready', async (kind, url) => {
    if (!brokers[kind]) return;
    fixture = await startServer({ BROKER_URL: url });
    expect((await get(`${fixture.url}/health`)).body).toEqual({ status: 'healthy' });
    const ready = await get(`${fixture.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((ready.body.checks as Record<string, string>).broker).toBe('ok');
  });
});
