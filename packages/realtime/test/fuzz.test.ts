import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClientFrame } from '../src/index.js';
import { type Harness, startHarness, TestClient } from './support/harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ brokerLimit: 1000 });
});
afterAll(() => harness.close());

describe('frame parser fuzzing over real sockets (WS-FRAME-2)', () => {
  it('WS-FRAME-2 random bytes after auth never crash the server: a 4005 close, or the frame is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 512 }), async (bytes) => {
        const client = await TestClient.authed(harness.url);
        client.send(bytes);
        const expected = parseClientFrame(bytes);
        if (expected.ok) {
          // Accepted: the connection stays open; closing it ourselves ends the run.
          client.close();
          expect((await client.closed).code).not.toBe(4005);
        } else {
          expect(await client.closed).toEqual({ code: 4005, reason: expected.close.reason });
        }
      }),
      { numRuns: 150 },
    );
    // The server still works after all that.
    const healthy = await TestClient.authed(harness.url);
    expect(await healthy.silentFor(50)).toBe(true);
    healthy.close();
    await expect.poll(() => harness.endpoint.size).toBe(0);
    expect(harness.broker.size).toBe(0);
  });

  it('WS-AUTH-1 random first frames are refused with 4000 and never reach the broker', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 256 }), async (bytes) => {
        const client = await TestClient.connect(harness.url);
        client.send(bytes);
        expect((await client.closed).code).toBe(4000);
      }),
      { numRuns: 100 },
    );
    expect(harness.broker.size).toBe(0);
  });
});
