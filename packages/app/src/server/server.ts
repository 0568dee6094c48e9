import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import {
  type ApiDeps,
  COMMON_HEADERS,
  createApiServices,
  createClientEndpoint,
  createHttpApp,
  type ExtraRoute,
  type HttpApp,
} from '@less-sync/api';
import { UcanValidator } from '@less-sync/auth';
import { type BlobStore, migrate, migrationStatus, openStorage, type Storage } from '@less-sync/storage';
import type { Logger } from 'pino';
import { type Cluster, openCluster } from '../cluster/index.js';
import { storagePullOptions } from '../config/capacity.js';
import type { Config } from '../config/types.js';
import { DEV_TOKEN_PATH, DevIssuer, devIssuerRoutes } from '../dev-issuer/index.js';
import { describeFederationKeys, type FederationKeys, loadFederationKeys } from '../federation-keys/index.js';
import { JobScheduler, maintenanceJobs } from '../jobs/index.js';
import { createLogger, userPseudonymer } from '../logging/index.js';
import { type AppMetrics, createMetrics, currentBuildInfo } from '../metrics/index.js';
import { startTracing, type Tracing, tracedRequestListener } from '../tracing/index.js';
import { openBlobStore } from './blobs.js';
import { openServerDatabase, type ServerDatabase } from './database.js';
import { createFederationInbound } from './federation-inbound.js';
import { createFederationOutbound, signingKeyDomain } from './federation-outbound.js';
import { clientErrorReply, httpTimeouts, limitUpgradesPerIp, userConnectionLimit } from './limits.js';
import { apiMetricsHooks, httpMetricsHooks, metricsRoute } from './metrics-hooks.js';
import { brokerReadinessCheck, coreReadinessChecks, Probes } from './probes.js';
import { type ShutdownParts, shutdownServer } from './shutdown.js';
import { handleUpgradeEvent } from './upgrade.js';
import { createTokenValidator } from './validator.js';
import { wsAccessLog } from './ws-access.js';

/** R15: Node's default 16 KiB header limit would answer a legitimate 64 KiB X-UCAN with 431. */
export const MAX_HEADER_BYTES = 256 * 1024;

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 in brackets). */
  readonly url: string;
}

export interface CreateServerOptions {
  /** Root logger; a pino logger at the configured level on stdout when omitted. */
  readonly logger?: Logger;
  /** Export Node process metrics too (default true). */
  readonly processMetrics?: boolean;
}

export interface LessSyncServer {
  /** Bound address once listening. */
  readonly address: ServerAddress | undefined;
  readonly devIssuer: DevIssuer | undefined;
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  /** The HTTP application (for in-process requests). */
  readonly app: HttpApp;
  /** `/livez`, `/readyz`, `/startupz`; subsystems add readiness checks here. */
  readonly probes: Probes;
  /** Runs every maintenance job once, now (operators' and tests' hook). */
  runMaintenance(): Promise<void>;
  listen(): Promise<ServerAddress>;
  /** Graceful shutdown (R24); idempotent. */
  close(): Promise<void>;
}

function formatAddress(info: AddressInfo): ServerAddress {
  const host = info.address;
  const hostPart = info.family === 'IPv6' || host.includes(':') ? `[${host}]` : host;
  return { host, port: info.port, url: `http://${hostPart}:${info.port}` };
}

/**
 * The composition root (BOOT-02): database (PostgreSQL or embedded, R23), migrations (unless
 * MIGRATE_ON_START=false), stores, token validator (or the development issuer), broker and presence,
 * blob store, federation JWKS, the API's services and WebSocket endpoint, the HTTP app on the same port,
 * and the maintenance jobs (R22). Fails with an Error whose message is what `Error: <message>` prints.
 */
export async function createServer(
  config: Config,
  options: CreateServerOptions = {},
): Promise<LessSyncServer> {
  const logger = options.logger ?? createLogger(config);
  for (const warning of config.warnings) logger.warn(warning);

  const tracing = await startTracing(config.tracing);
  if (tracing.enabled) logger.info({ url: config.tracing?.tracesUrl }, 'OpenTelemetry tracing on');
  let db: ServerDatabase;
  try {
    db = await openServerDatabase(config.database, logger, config.capacity.poolSize, tracing);
  } catch (error) {
    await tracing.shutdown().catch(() => undefined);
    throw error;
  }
  let storage: Storage | undefined;
  let cluster: Cluster | undefined;
  try {
    if (config.migrateOnStart) {
      const result = await migrate(db.executor, {
        onStep: (step) =>
          logger.info({ ...step }, `migration ${step.action} ${step.version} ${step.description}`),
      });
      logger.info({ version: result.version }, 'migrations complete');
    } else {
      await requireCurrentSchema(db);
    }
    storage = openStorage(db.source, { pull: storagePullOptions(config.capacity, db.kind === 'postgres') });
    const blobs = await openBlobStore(config.fileStorage);
    const federationKeys = await loadFederationKeys(storage, config.federation, {
      onInvalidKey: (error) => logger.error({ err: error }, 'federation key left out of the JWKS'),
    });
    logger.info(describeFederationKeys(federationKeys), 'federation keys');
    cluster = await openCluster(config, db.executor, storage, logger);
    return assemble(config, options, logger, db, storage, blobs, federationKeys, tracing, cluster);
  } catch (error) {
    await cluster?.close().catch(() => undefined);
    await storage?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    await tracing.shutdown().catch(() => undefined);
    throw error;
  }
}

/** MIGRATE_ON_START=false: the operator migrates; refuse to run on a schema that is not current. */
async function requireCurrentSchema(db: ServerDatabase): Promise<void> {
  const statuses = await migrationStatus(db.executor);
  const behind = statuses.filter((s) => s.state !== 'applied');
  if (behind.length > 0) {
    const list = behind.map((s) => `${s.version} ${s.state}`).join(', ');
    throw new Error(
      `the database schema is not current (${list}) and MIGRATE_ON_START=false: run "pnpm migrate up" first`,
    );
  }
}

function assemble(
  config: Config,
  options: CreateServerOptions,
  logger: Logger,
  db: ServerDatabase,
  storage: Storage,
  blobs: BlobStore | undefined,
  federationKeys: FederationKeys,
  tracing: Tracing,
  cluster: Cluster,
): LessSyncServer {
  const metrics = createMetrics({
    processMetrics: options.processMetrics ?? true,
    buildInfo: currentBuildInfo(),
  });
  metrics.setPoolStatsSource(db.poolStats);
  const devIssuer = config.devIssuer ? new DevIssuer() : undefined;
  const tokenValidator = createTokenValidator(config, devIssuer);
  const { broker, presence, uploadLock } = cluster;
  const outbound = createFederationOutbound(config, federationKeys.signingKey, metrics, logger);
  const ownDomains = [config.federation.domain, signingKeyDomain(federationKeys.signingKey)].filter(
    (d): d is string => d !== undefined,
  );

  const deps: ApiDeps = {
    storage,
    uploadLock,
    tokenValidator,
    ucanValidator: new UcanValidator(),
    broker,
    presence,
    cluster: broker,
    federation: outbound,
    blobs,
    logger,
    metrics: apiMetricsHooks(metrics, tracing),
    config: {
      rateLimits: config.rateLimits,
      identityHashKey: cluster.identityHashKey,
      trustedDomains: config.federation.trustedDomains,
      localDomains: [...new Set(ownDomains)],
      connection: { authFrameMaxBytes: config.limits.authFrameMaxBytes },
      pull: config.capacity.pull,
    },
  };
  const services = createApiServices(deps);
  const userLimit = userConnectionLimit(config.limits, metrics);
  const userPseudonym = userPseudonymer(cluster.identityHashKey);
  const wsAccess = wsAccessLog(logger, userPseudonym);
  // R8 across instances: a revocation made elsewhere ends the matching subscriptions here too.
  broker.onRevocation((space, cid, reason) => void services.sessions.revoke(space, cid, reason));
  const endpoint = createClientEndpoint(services, {
    upgradeHeaders: COMMON_HEADERS,
    hooks: {
      admit: userLimit.admit,
      onOpen(connection) {
        metrics.connections.inc({ kind: 'client' });
        wsAccess.opened(connection);
        logger.debug({ conn_id: connection.id }, 'connection opened');
      },
      onSlowConsumer: () => metrics.fanoutEvictions.inc(),
      onClose(connection, directive) {
        userLimit.onClose(connection, directive);
        metrics.connections.dec({ kind: 'client' });
        wsAccess.closed(connection, directive?.code);
      },
    },
  });

  const federation = createFederationInbound(config, services, metrics, logger, (limits) =>
    cluster.federationQuota(limits),
  );

  const probes = new Probes(
    coreReadinessChecks({
      ping: () => storage.ping(),
      pendingMigrations: async () =>
        (await migrationStatus(db.executor))
          .filter((m) => m.state !== 'applied')
          .map((m) => `${m.version} ${m.state}`),
      onDatabaseError: (error) => logger.warn({ err: error }, 'readiness: database ping failed'),
    }),
  );
  probes.add(brokerReadinessCheck(() => broker.health()));
  const extraRoutes: ExtraRoute[] = [metricsRoute(metrics), ...probes.routes()];
  if (devIssuer) extraRoutes.push(...devIssuerRoutes(devIssuer));
  const app = createHttpApp({
    health: {
      ping: () => storage.ping(),
      broker: () => broker.health(),
      ...(outbound === undefined ? {} : { outboundPeers: () => outbound.status() }),
    },
    tokenValidator,
    files: blobs
      ? {
          storage,
          authorizer: services.authz,
          blobs,
          broker,
          maxFileSize: config.maxFileSize,
          uploadIdleTimeoutMs: config.limits.uploadIdleTimeoutMs,
          onLimit: (limit: string) => metrics.limitRejections.inc({ limit }),
          uploadLock,
          onNotification: (_method: string, delivered: number) => metrics.fanoutDeliveries.inc(delivered),
        }
      : undefined,
    federationJwks: federationKeys.jwks,
    federation: federation?.endpoint.httpInfo(),
    extraRoutes,
    logger,
    metrics: httpMetricsHooks(metrics, tracing),
    userPseudonym,
  });

  const httpServer: Server = createHttpServer(
    { maxHeaderSize: MAX_HEADER_BYTES, ...httpTimeouts(config.limits) },
    tracedRequestListener(tracing, getRequestListener(app.fetch, { overrideGlobalObjects: false })),
  );
  httpServer.on(
    'upgrade',
    handleUpgradeEvent(
      {
        client: limitUpgradesPerIp(endpoint, config.limits, metrics),
        federation: federation?.endpoint,
        fetch: (request) => app.fetch(request),
      },
      (error) => logger.debug({ err: error }, 'upgrade socket error'),
    ),
  );
  httpServer.on('clientError', (error, socket) => {
    logger.debug({ err: error }, 'malformed HTTP request');
    if (socket.writable) socket.end(clientErrorReply(error, metrics));
    else socket.destroy();
  });

  const scheduler = new JobScheduler(logger);
  const jobs = cluster.jobs(
    maintenanceJobs({
      storage,
      broker,
      presence,
      blobs,
      uploadLock,
      rateLimits: config.rateLimits,
      logger,
    }),
  );
  let address: ServerAddress | undefined;
  const sockets = {
    shutdown: async (o: { graceMs: number }) => {
      outbound?.close();
      await Promise.all([endpoint.shutdown(o), federation?.endpoint.shutdown(o)]);
    },
  };
  const parts: ShutdownParts = {
    httpServer,
    endpoint: sockets,
    scheduler,
    services,
    storage,
    db,
    logger,
    tracing,
    cluster,
  };
  let closing: Promise<void> | undefined;

  return {
    get address() {
      return address;
    },
    devIssuer,
    metrics,
    logger,
    app,
    probes,
    async runMaintenance() {
      for (const job of jobs) await scheduler.runOnce(job);
    },
    async listen() {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen({ host: config.listenAddr.host, port: config.listenAddr.port }, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      address = formatAddress(httpServer.address() as AddressInfo);
      for (const job of jobs) scheduler.start(job);
      probes.markStarted();
      if (devIssuer) {
        logger.warn(
          { issuer: devIssuer.issuer },
          `DEVELOPMENT ISSUER IS ON (no TRUSTED_ISSUERS): anyone on this machine can get a token with ` +
            `curl -s '${address.url}${DEV_TOKEN_PATH}?user=alice'. Never use it in production.`,
        );
      }
      logger.info(
        { addr: `${address.host}:${address.port}`, database: db.kind, files: blobs?.kind ?? 'none' },
        'server listening',
      );
      return address;
    },
    close() {
      probes.markDraining();
      closing ??= shutdownServer(parts, config.shutdownTimeoutMs);
      return closing;
    },
  };
}
