import { encodeNotification } from '@less-sync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { TestServer } from '../harness/index.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

describe('slow consumer eviction (R7, issue items 6 and 7)', () => {
  it('R7 WS-OUTBOUND-1 an evicted reader is logged at warn with a pseudonymous user and its queue size', async () => {
    server = await TestServer.start();
    const alice = server.user('alice');
    const slow = await server.connect(alice);
    await slow.call('subscribe', { spaces: [{ id: alice.personalSpaceId, since: 0 }] });
    slow.ws.pause();
    const frame = encodeNotification('sync', {
      space: alice.personalSpaceId,
      pad: new Uint8Array(64 * 1024),
    });
    let rounds = 0;
    while (server.broker.size > 0) {
      expect(++rounds).toBeLessThan(5000);
      await server.broker.broadcastSpace(alice.personalSpaceId, '', frame);
      await new Promise((r) => setImmediate(r));
    }
    const entry = server.logged('slow consumer evicted (4006)');
    expect(entry?.level).toBe('warn');
    expect(entry?.fields.user).toMatch(/^[0-9a-f]{16,}$/);
    expect(JSON.stringify(entry?.fields)).not.toContain('alice');
    expect(entry?.fields.queued_frames).toBeGreaterThan(0);
    slow.ws.resume();
    expect((await slow.waitClosed()).code).toBe(4006);
  });
});
