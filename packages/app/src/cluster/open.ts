/**
 * Many instances, one service: picks the transport from the configuration (memory with the embedded
 * database, PostgreSQL LISTEN/NOTIFY by default, Redis or NATS when BROKER_URL names one), and builds the
 * cluster broker, the shared secrets, the service-wide upload lock and the liveness job.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  createChangeResolver,
  type FederationQuota,
  type FederationQuotaLimits,
  InMemoryFederationQuota,
  KeyedLock,
} from '@less-sync/api';
import {
  ClusterBroker,
  type ClusterTransport,
  MemoryTransport,
  PostgresTransport,
  PresenceRegistry,
  PSEUDONYM_SECRET_BYTES,
} from '@less-sync/realtime';
import type { SqlExecutor, Storage } from '@less-sync/storage';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { JobSpec } from '../jobs/index.js';
import { PostgresFederationQuota } from './federation-quota.js';
import { ClusterState, type ClusterTimings } from './state.js';
import { createBrokerTransport } from './transports.js';
import { AdvisoryKeyedLock } from './upload-lock.js';

/** Per-instance jobs; every other job runs once per interval across the service. */
const PER_INSTANCE_JOBS = new Set(['presence-sweep', 'cluster-liveness']);

export interface Cluster {
  readonly instanceId: string;
  readonly broker: ClusterBroker;
  readonly presence: PresenceRegistry;
  readonly uploadLock: KeyedLock;
  /** The configured key, or the service's stored one (R12 across instances). */
  readonly identityHashKey: Uint8Array;
  readonly state: ClusterState | undefined;
  /** FED-QUOTA-02..06 per service (CLUSTER-07); in memory with the embedded database (one process). */
  federationQuota(limits: FederationQuotaLimits): FederationQuota;
  /** Gate jobs (once per service) and add the liveness job. */
  jobs(jobs: readonly JobSpec[]): JobSpec[];
  close(): Promise<void>;
}

/** LISTEN channel per database schema, so services sharing a database (tests) do not hear each other. */
export function channelFor(searchPath: string | undefined): string {
  return `less_sync_${createHash('sha256')
    .update(searchPath ?? 'public')
    .digest('hex')
    .slice(0, 20)}`;
}

export async function openCluster(
  config: Config,
  db: SqlExecutor,
  storage: Storage,
  logger: Logger,
  timings: ClusterTimings = config.cluster,
): Promise<Cluster> {
  const instanceId = randomUUID();
  if (config.broker.kind === 'memory' || config.database.kind !== 'postgres') {
    const presence = new PresenceRegistry();
    const broker = new ClusterBroker({
      transport: new MemoryTransport(),
      instanceId,
      maxConnectionsPerMailbox: 3,
      relay: false,
    });
    await broker.start();
    const none = undefined;
    return {
      instanceId,
      broker,
      presence,
      uploadLock: new KeyedLock(),
      // Stored like the multi-instance key, so a restart keeps rate-limit counts and pseudonyms (R12).
      identityHashKey: config.identityHashKey.generated
        ? await new ClusterState(db, instanceId).secret('identity_hash_key', 32)
        : config.identityHashKey.key,
      state: none,
      federationQuota: (limits) => new InMemoryFederationQuota(limits),
      jobs: (jobs) => [...jobs],
      close: () => broker.close(),
    };
  }
  const state = new ClusterState(db, instanceId, timings);
  await state.heartbeat();
  const identityHashKey = config.identityHashKey.generated
    ? await state.secret('identity_hash_key', 32)
    : config.identityHashKey.key;
  const presence = new PresenceRegistry({
    secret: await state.secret('presence_pseudonym', PSEUDONYM_SECRET_BYTES),
  });
  const transport: ClusterTransport =
    config.broker.kind === 'postgres'
      ? new PostgresTransport({
          connectionString: config.broker.url,
          channel: channelFor(config.database.searchPath),
          onError: (err) => logger.debug({ err }, 'cluster listen connection error'),
        })
      : createBrokerTransport(config.broker, channelFor(config.database.searchPath), logger);
  const broker = new ClusterBroker({
    transport,
    instanceId,
    maxConnectionsPerMailbox: 3,
    resolver: createChangeResolver(storage),
    slots: state,
    presence,
    logger,
  });
  await broker.start();
  logger.info({ instance: instanceId, transport: transport.kind }, 'cluster transport started');

  const liveness: JobSpec = {
    name: 'cluster-liveness',
    intervalMs: timings.heartbeatMs,
    async run() {
      await state.heartbeat();
      const dead = await state.reapDead();
      if (dead.length > 0) logger.info({ instances: dead }, 'reaped dead instances');
      const live = new Set(await state.liveInstances());
      for (const origin of presence.mirrorOrigins()) {
        if (!live.has(origin)) broker.dropInstance(origin);
      }
    },
  };
  return {
    instanceId,
    broker,
    presence,
    uploadLock: new AdvisoryKeyedLock(db),
    identityHashKey,
    state,
    federationQuota: (limits) => new PostgresFederationQuota(db, limits, { instanceId, timings }),
    jobs: (jobs) => [
      liveness,
      ...jobs.map((job) =>
        PER_INSTANCE_JOBS.has(job.name)
          ? job
          : {
              ...job,
              async run(signal: AbortSignal) {
                if (await state.claimJob(job.name, job.intervalMs)) await job.run(signal);
              },
            },
      ),
    ],
    async close() {
      await broker.close();
      await state.leave().catch((err: unknown) => logger.warn({ err }, 'leaving the cluster failed'));
    },
  };
}
