import { publishToSpace } from '../broker/publish.js';
import type { Broker } from '../broker/types.js';
import type { PresenceLeave, PresenceRegistry } from './registry.js';

/**
 * One run of the stale-presence job (PRESENCE-6, R22): drop entries past their TTL and tell every
 * subscriber of each space (nobody excluded). The app schedules it every `sweepIntervalMs`.
 */
export async function sweepPresence(registry: PresenceRegistry, broker: Broker): Promise<PresenceLeave[]> {
  const leaves = registry.sweepStale();
  for (const leave of leaves) {
    await publishToSpace(broker, leave.space, 'presence.leave', { space: leave.space, peer: leave.peer });
  }
  return leaves;
}
