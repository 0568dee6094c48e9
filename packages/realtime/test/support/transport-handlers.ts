import { expect, vi } from 'vitest';
import type { ClusterTransport, TransportHealth, TransportKind } from '../../src/index.js';

/** Transport handlers that record what they are told, for the transport suites. */
export function recordingHandlers() {
  const messages: string[] = [];
  const states: TransportHealth['state'][] = [];
  let resumed = 0;
  return {
    messages,
    states,
    resumedCount: () => resumed,
    h: {
      message: (b: string) => messages.push(b),
      resumed: () => void resumed++,
      stateChanged: (health: TransportHealth) => states.push(health.state),
    },
  };
}

/**
 * BROKER-10 on any transport: a hint published on a channel reaches every instance on it (the publisher
 * included) and nothing on another channel. Returns the two same-channel transports and their recorders.
 */
export async function expectChannelFanOut(
  kind: TransportKind,
  make: (sameChannel: boolean) => ClusterTransport,
): Promise<{
  a: ClusterTransport;
  ra: ReturnType<typeof recordingHandlers>;
  rb: ReturnType<typeof recordingHandlers>;
}> {
  const a = make(true);
  const b = make(true);
  const other = make(false);
  const [ra, rb, ro] = [recordingHandlers(), recordingHandlers(), recordingHandlers()];
  expect(a.health()).toEqual({ kind, state: 'degraded', detail: 'not started' });
  await a.start(ra.h);
  await b.start(rb.h);
  await other.start(ro.h);
  expect(b.health()).toEqual({ kind, state: 'ok' });
  await a.publish('{"hello":1}');
  await vi.waitFor(() => expect(rb.messages).toEqual(['{"hello":1}']));
  await vi.waitFor(() => expect(ra.messages).toEqual(['{"hello":1}']));
  await other.publish('x');
  await vi.waitFor(() => expect(ro.messages).toEqual(['x']));
  expect(rb.messages).toEqual(['{"hello":1}']);
  return { a, ra, rb };
}
