/**
 * Envelope handling (the reference's rpcconn.rs, real wire shapes): classify a request and a
 * notification frame, and run a request through the dispatcher to an encoded response.
 */
import { encodeCbor, WsPresenceSetParamsCodec } from '@less-sync/core';
import { bench, describe } from 'vitest';
import {
  createHandlerTable,
  type DispatchTargetForBench,
  dispatchRequestForBench,
  parseClientFrame,
  requestRoute,
} from './support/dispatch.js';

const SPACE = '11111111-1111-1111-1111-111111111111';

const requestFrame = encodeCbor({
  type: 0,
  id: 'rpc-1-lzx3k2',
  method: 'subscribe',
  params: { spaces: [{ id: SPACE, since: 0 }] },
});
const notificationFrame = encodeCbor({
  type: 2,
  method: 'presence.set',
  params: { space: SPACE, data: Uint8Array.of(1, 2, 3) },
});

const target: DispatchTargetForBench = {
  handlers: createHandlerTable({
    requests: {
      subscribe: requestRoute({ decode: (p) => p, handle: () => ({ spaces: [] }) }),
    },
  }),
};

describe('envelope handling', () => {
  bench('parse request frame', () => {
    parseClientFrame(requestFrame);
  });
  bench('parse notification frame (+ presence.set params)', () => {
    const r = parseClientFrame(notificationFrame);
    if (r.ok && r.value.kind === 'notification') WsPresenceSetParamsCodec.decode(r.value.params ?? null);
  });
  bench('request → dispatch → encoded response', async () => {
    const r = parseClientFrame(requestFrame);
    if (r.ok && r.value.kind === 'request') await dispatchRequestForBench(target, r.value);
  });
});
