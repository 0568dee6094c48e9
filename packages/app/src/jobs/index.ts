export {
  HOURLY_MS,
  longestWindowSeconds,
  type MaintenanceDeps,
  maintenanceJobs,
  PRESENCE_SWEEP_INTERVAL_MS,
} from './maintenance.js';
export { OrphanBlobSweep, type OrphanBlobSweepOptions, type OrphanSweepResult } from './orphan-blobs.js';
export { JobScheduler, type JobSpec } from './scheduler.js';
