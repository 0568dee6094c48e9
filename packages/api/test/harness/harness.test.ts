import { afterEach, describe, expect, it } from 'vitest';
import { TestServer } from './index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('test harness', () => {
  it('WS-AUTH-1 serves pipelined SDK frames behind the auth notification', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const client = await server.connect(alice);
    const [sub, push] = await Promise.all([
      client.request('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0, ucan: undefined }] }),
      client.request('push', {
        space: alice.personalSpaceId,
        changes: [
          { id: '0b2f9d43-3f6e-4c52-a1e4-1b7c2d4e5f60', blob: new Uint8Array([1]), expected_cursor: 0 },
        ],
      }),
    ]);
    expect(sub.result?.spaces).toHaveLength(1);
    expect(push.result).toEqual({ ok: true, cursor: 1 });
    const rows = await server.query('SELECT id FROM records');
    expect(rows).toHaveLength(1);
  });
});
