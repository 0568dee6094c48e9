/**
 * Stalled readers (issue 15 item 1): clients that start large pulls and stop reading hold no
 * database connection while they wait on their sockets, one user cannot take more than its pull
 * slots, and another user's push and the health check keep working.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/index.js';
import type { TestClient } from '../../harness/client.js';
import { TestServer } from '../../harness/server.js';

const RECORDS = 2_048;
const BLOB_BYTES = 8 * 1024; // 16 MiB in all: more than loopback socket buffers hold.
const USERS = 5;
const CLIENTS_PER_USER = 3;
/** Generous: well under the pool's 10 s connection timeout that used to fail the push. */
const BOUND_MS = 8_000;

function socketOf(client: TestClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${BOUND_MS} ms`)), BOUND_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('pull under stalled readers', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('RPC-PULL-1 STORE-PULL-05 fifteen stalled large pulls: another user pushes, health stays up, over-limit pulls are rate_limited', async () => {
    server = await TestServer.start({
      // A 6-connection pool: 4 for pull reads, 2 kept for writes.
      storage: { maxConnections: 6, pull: { maxConcurrentReads: 4 } },
      config: { pull: { maxPerConnection: 1, maxPerUser: 2, queueWaitMs: 300 } },
    });
    const owner = server.user('owner');
    const shared = await server.sharedSpace(owner);
    for (let start = 0; start < RECORDS; start += 512) {
      const changes = Array.from({ length: 512 }, () => ({
        id: randomUUID(),
        blob: new Uint8Array(BLOB_BYTES).fill(start % 251),
        cursor: 0,
        dek: undefined,
      }));
      expect((await server.storage.push(shared.id, changes)).ok).toBe(true);
    }

    const readers: { client: TestClient; reply: ReturnType<TestClient['request']> }[] = [];
    for (let u = 0; u < USERS; u++) {
      const user = server.user(`reader-${u}`);
      for (let c = 0; c < CLIENTS_PER_USER; c++) {
        const client = await server.connect(user);
        // Stop reading: the server's writes back up into its queue and the socket buffers.
        socketOf(client).pause();
        const ucan = shared.grant(user, '/space/read');
        const reply = client.request(
          'pull',
          { spaces: [{ id: shared.id, since: 0, ucan }] },
          { timeoutMs: 120_000 },
        );
        readers.push({ client, reply });
      }
    }

    // Another user's push and the health check answer while every reader is stalled.
    const writer = server.user('writer');
    const w = await server.connect(writer);
    const pushed = await within(
      w.call('push', {
        space: writer.personalSpaceId,
        changes: [{ id: randomUUID(), blob: new Uint8Array(16), expected_cursor: 0 }],
      }),
      'push',
    );
    expect(pushed).toMatchObject({ ok: true });
    const app = createHttpApp({
      health: server.storage,
      tokenValidator: { validateToken: () => Promise.reject(new Error('unused')) },
    });
    const health = await within(Promise.resolve(app.request('/health')), 'health');
    expect(health.status).toBe(200);

    // Resume reading: every pull either completes whole or was refused for the user's bound.
    for (const { client } of readers) socketOf(client).resume();
    const replies = await Promise.all(readers.map((r) => r.reply));
    const refused = replies.filter((r) => r.error !== undefined);
    for (const r of refused)
      expect(r.error).toEqual({ code: 'rate_limited', message: 'too many concurrent pulls' });
    const completed = replies.filter((r) => r.error === undefined);
    for (const r of completed) {
      expect(r.chunks.filter((ch) => ch.name === 'pull.record')).toHaveLength(RECORDS);
      expect(r.result).toEqual({ _chunks: RECORDS + 2 });
    }
    // Two pulls per user at most could run; the others waited 300 ms and were refused.
    expect(completed.length).toBeLessThanOrEqual(USERS * 2);
    expect(refused.length).toBeGreaterThanOrEqual(USERS * (CLIENTS_PER_USER - 2));
  }, 180_000);
});
