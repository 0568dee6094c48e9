import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/index.js';

describe('/health federation_outbound block (FED-PEER-05 observability)', () => {
  it('FED-HTTP-04 with a forwarder /health lists each outbound peer link; without one there is no block', async () => {
    const peers = [
      { domain: 'a.example', state: 'connected', pendingCalls: 2, subscriptions: 3 },
      {
        domain: 'b.example',
        state: 'backoff',
        pendingCalls: 0,
        subscriptions: 1,
        lastError: 'closed (1006)',
      },
    ];
    const app = createHttpApp({ health: { ping: async () => {}, outboundPeers: () => peers } });
    expect(await (await app.request('/health')).json()).toEqual({
      status: 'healthy',
      federation_outbound: {
        peers: [
          { domain: 'a.example', state: 'connected', pending_calls: 2, subscriptions: 3 },
          {
            domain: 'b.example',
            state: 'backoff',
            pending_calls: 0,
            subscriptions: 1,
            last_error: 'closed (1006)',
          },
        ],
      },
    });
    const plain = createHttpApp({ health: { ping: async () => {} } });
    expect(await (await plain.request('/health')).json()).toEqual({ status: 'healthy' });
  });
});
