/**
 * Memory per idle authenticated connection, and fan-out over real sockets, on loopback.
 *
 *   cd packages/realtime && ulimit -n 20000 && IDLE_CONNECTIONS=5000 npx vitest bench --run bench/idle-memory.bench.ts
 *
 * The server (endpoint, broker, presence) runs in this process; the clients run in a child process, so
 * the heap delta after a forced GC is server-side state only. Prints KiB of V8 heap per connection (target
 * < 30 KiB), plus the cost of one `sync` notification fanned out to 1,000 of those sockets.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeCbor, Payload, WsSyncDataCodec } from '@less-sync/core';
import { bench, describe } from 'vitest';
import {
  createHandlerTable,
  InMemoryBroker,
  PresenceRegistry,
  publishToSpace,
  RealtimeEndpoint,
} from '../src/index.js';

const CONNECTIONS = Number(process.env.IDLE_CONNECTIONS ?? 5000);
const FANOUT = Math.min(1000, CONNECTIONS);
const SPACE = '11111111-1111-1111-1111-111111111111';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settle(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

const tick = () => new Promise((r) => setImmediate(r));

describe(`idle connections ×${CONNECTIONS}`, async () => {
  let mailbox = 0;
  const broker = new InMemoryBroker();
  const endpoint = new RealtimeEndpoint({
    authenticate: async () => ({ mailboxId: `mailbox-${mailbox++}` }),
    handlers: createHandlerTable({}),
    broker,
    presence: new PresenceRegistry(),
  });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => endpoint.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', 1024, r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ws`;

  const before = settle();
  const rssBefore = process.memoryUsage().rss;
  const child = fork(fileURLToPath(new URL('./support/idle-clients.mjs', import.meta.url)), {
    env: {
      ...process.env,
      URL: url,
      CONNECTIONS: String(CONNECTIONS),
      AUTH_FRAME_HEX: Buffer.from(encodeCbor({ type: 2, method: 'auth', params: { token: 't' } })).toString(
        'hex',
      ),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`client process exited with ${code}`)));
  });
  while (broker.size < CONNECTIONS) await new Promise((r) => setTimeout(r, 20));
  const after = settle();
  const perConnectionKiB = (after - before) / CONNECTIONS / 1024;
  const rssPerConnectionKiB = (process.memoryUsage().rss - rssBefore) / CONNECTIONS / 1024;

  let subscribed = 0;
  for (const connection of endpoint.connections()) {
    if (subscribed++ >= FANOUT) break;
    await connection.subscribe([SPACE]);
  }
  const rounds = 200;
  let busyMs = 0;
  let cpuMs = 0;
  for (let i = 0; i < rounds; i++) {
    const params = Payload.of(WsSyncDataCodec, {
      space: SPACE,
      prev: i,
      cursor: i + 1,
      key_generation: 1,
      records: [{ id: '019400e8-7b5d-7000-8000-000000000001', blob: new Uint8Array(64), cursor: i + 1 }],
    });
    const start = performance.now();
    const cpu = process.cpuUsage();
    const delivered = await publishToSpace(broker, SPACE, 'sync', params);
    busyMs += performance.now() - start;
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    if (delivered !== FANOUT) throw new Error(`delivered ${delivered} of ${FANOUT}`);
    await tick();
  }

  console.log(
    [
      `idle connections: ${CONNECTIONS}`,
      `heap per idle authenticated connection: ${perConnectionKiB.toFixed(1)} KiB (target < 30 KiB)`,
      `rss per connection (informative): ${rssPerConnectionKiB.toFixed(1)} KiB`,
      `sync fan-out to ${FANOUT} real sockets: ${(busyMs / rounds).toFixed(3)} ms wall, ${(cpuMs / rounds).toFixed(3)} ms CPU per notification`,
    ].join('\n'),
  );

  child.kill();
  await endpoint.shutdown({ graceMs: 2000 });
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));

  bench('recorded above (setup measures; this body is a no-op)', () => {}, { iterations: 1, time: 0 });
});
