import type { KeyedLock } from '@less-sync/api';
import { type Broker, type PresenceRegistry, sweepPresence } from '@less-sync/realtime';
import type { BlobStore, Storage } from '@less-sync/storage';
import type { Logger } from 'pino';
import type { RateLimitsConfig } from '../config/types.js';
import { OrphanBlobSweep } from './orphan-blobs.js';
import type { JobSpec } from './scheduler.js';

export const PRESENCE_SWEEP_INTERVAL_MS = 15_000;
export const HOURLY_MS = 3_600_000;

export interface MaintenanceDeps {
  readonly storage: Storage;
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  readonly blobs: BlobStore | undefined;
  readonly uploadLock: KeyedLock;
  readonly rateLimits: RateLimitsConfig;
  readonly logger: Pick<Logger, 'info' | 'debug'>;
  readonly now?: () => number;
}

/** Rate-limit rows are kept as long as the longest configured window needs them. */
export function longestWindowSeconds(limits: RateLimitsConfig): number {
  return Math.max(
    limits.membershipAppend.windowSeconds,
    limits.invitationCreate.windowSeconds,
    limits.spaceCreate.windowSeconds,
  );
}

/**
 * R22 / BOOT-03 / BOOT-04: presence sweep every 15 s; expired-invitation purge, rate-limit cleanup and
 * (with file storage) the orphan-blob sweep every hour.
 */
export function maintenanceJobs(deps: MaintenanceDeps): JobSpec[] {
  const now = deps.now ?? Date.now;
  const jobs: JobSpec[] = [
    {
      name: 'presence-sweep',
      intervalMs: PRESENCE_SWEEP_INTERVAL_MS,
      async run() {
        const leaves = await sweepPresence(deps.presence, deps.broker);
        if (leaves.length > 0)
          deps.logger.debug({ count: leaves.length }, 'cleaned up stale presence entries');
      },
    },
    {
      name: 'invitation-purge',
      intervalMs: HOURLY_MS,
      async run() {
        const purged = await deps.storage.purgeExpiredInvitations();
        if (purged > 0) deps.logger.info({ count: purged }, 'purged expired invitations');
      },
    },
    {
      name: 'rate-limit-cleanup',
      intervalMs: HOURLY_MS,
      async run() {
        const before = new Date(now() - longestWindowSeconds(deps.rateLimits) * 1000);
        const removed = await deps.storage.cleanupExpiredActions(before);
        if (removed > 0) deps.logger.debug({ count: removed }, 'removed expired rate-limit rows');
      },
    },
  ];
  if (deps.blobs) {
    const sweep = new OrphanBlobSweep({ storage: deps.storage, blobs: deps.blobs, lock: deps.uploadLock });
    jobs.push({
      name: 'orphan-blob-sweep',
      intervalMs: HOURLY_MS,
      async run(signal) {
        const result = await sweep.run(signal);
        if (result.deleted > 0) deps.logger.info({ ...result }, 'deleted orphaned file blobs');
      },
    });
  }
  return jobs;
}
