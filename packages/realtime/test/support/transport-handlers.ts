import type { TransportHealth } from '../../src/index.js';

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
