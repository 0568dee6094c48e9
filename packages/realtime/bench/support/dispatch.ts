import type { WireValue } from '@less-sync/core';
import { dispatchRequest } from '../../src/connection/dispatch.js';
import type { ConnectionIdentity, RealtimeConnection } from '../../src/index.js';
import { createHandlerTable, type HandlerTable, parseClientFrame, requestRoute } from '../../src/index.js';

export { createHandlerTable, parseClientFrame, requestRoute };

export interface DispatchTargetForBench {
  handlers: HandlerTable<ConnectionIdentity>;
}

const identity: ConnectionIdentity = { mailboxId: 'm' };
const connection = {
  id: 'conn-1',
  signal: new AbortController().signal,
} as unknown as RealtimeConnection<ConnectionIdentity>;
let sink = 0;

/** Dispatch with a reply sink that only counts bytes (no socket). */
export function dispatchRequestForBench(
  target: DispatchTargetForBench,
  frame: { id: string; method: string; params: WireValue | undefined },
): Promise<void> {
  return dispatchRequest(
    {
      connection,
      identity,
      handlers: target.handlers,
      logger: { warn: () => {}, error: () => {} },
      reply: async (bytes) => {
        sink += bytes.length;
      },
      tryReply: (bytes) => {
        sink += bytes.length;
        return true;
      },
      respond: async (bytes) => {
        sink += bytes.length;
      },
    },
    frame.id,
    frame.method,
    frame.params,
  );
}

export function bytesReplied(): number {
  return sink;
}
