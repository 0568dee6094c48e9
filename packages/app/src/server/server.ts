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
  type FederationJwk,
  type HttpApp,
} from '@less-sync/api';
import { UcanValidator } from '@less-sync/auth';
import { type BlobStore, migrate, migrationStatus, openStorage, type Storage } from '@less-sync/storage';
import type { Logger } from 'pino';
import { type Cluster, openCluster } from '../cluster/index.js';
import type { Config } from '../config/types.js';
import { DEV_TOKEN_PATH, DevIssuer, devIssuerRoutes } from '../dev-issuer/index.js';
import { JobScheduler, maintenanceJobs } from '../jobs/index.js';
import { createLogger } from '../logging/index.js';
import { type AppMetrics, createMetrics } from '../metrics/index.js';
import { openBlobStore } from './blobs.js';
import { openServerDatabase, type ServerDatabase } from './database.js';
import { loadFederationJwks } from './federation-jwks.js';
import { apiMetricsHooks, httpMetricsHooks, metricsRoute } from './metrics-hooks.js';
import { type ShutdownParts, shutdownServer } from './shutdown.js';
import { handleUpgradeEvent } from './upgrade.js';
import { createTokenValidator } from './validator.js';

/** R15: Node's default 16 KiB header limit would answer a legitimate 64 KiB X-UCAN with 431. */
export const MAX_HEADER_BYTES = 256 * 1024;
/** A 100 MiB upload on a slow link takes minutes; the reference had no limit at all. */
export const REQUEST_TIMEOUT_MS = 3_600_000;

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

  const db = await openServerDatabase(config.database, logger);
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
    storage = openStorage(db.source);
    const blobs = await openBlobStore(config.fileStorage);
    const federationJwks = await loadFederationJwks(storage);
    cluster = await openCluster(config, db.executor, storage, logger);
    return assemble(config, options, logger, db, storage, blobs, federationJwks, cluster);
  } catch (error) {
    await cluster?.close().catch(() => undefined);
    await storage?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
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
  federationJwks: FederationJwk[],
  cluster: Cluster,
): LessSyncServer {
  const metrics = createMetrics({ processMetrics: options.processMetrics ?? true });
  metrics.setPoolStatsSource(db.poolStats);
  const devIssuer = config.devIssuer ? new DevIssuer() : undefined;
  const tokenValidator = createTokenValidator(config, devIssuer);
  const { broker, presence, uploadLock } = cluster;

  const deps: ApiDeps = {
    storage,
    uploadLock,
    tokenValidator,
    ucanValidator: new UcanValidator(),
    broker,
    presence,
    cluster: broker,
    blobs,
    logger,
    metrics: apiMetricsHooks(metrics),
    config: {
      rateLimits: config.rateLimits,
      identityHashKey: cluster.identityHashKey,
      trustedDomains: config.federation.trustedDomains,
    },
  };
  const services = createApiServices(deps);
  // R8 across instances: a revocation made elsewhere ends the matching subscriptions here too.
  broker.onRevocation((space, cid, reason) => void services.sessions.revoke(space, cid, reason));
  const endpoint = createClientEndpoint(services, {
    upgradeHeaders: COMMON_HEADERS,
    hooks: {
      onOpen(connection) {
        metrics.connections.inc({ kind: 'client' });
        logger.debug({ conn_id: connection.id }, 'connection opened');
      },
      onClose(connection, directive) {
        metrics.connections.dec({ kind: 'client' });
        logger.debug({ conn_id: connection.id, close: directive }, 'connection closed');
      },
    },
  });

  const extraRoutes: ExtraRoute[] = [metricsRoute(metrics)];
  if (devIssuer) extraRoutes.push(...devIssuerRoutes(devIssuer));
  const app = createHttpApp({
    health: { ping: () => storage.ping(), broker: () => broker.health() },
    tokenValidator,
    files: blobs
      ? {
          storage,
          authorizer: services.authz,
          blobs,
          broker,
          maxFileSize: config.maxFileSize,
          uploadLock,
          onNotification: (_method: string, delivered: number) => metrics.fanoutDeliveries.inc(delivered),
        }
      : undefined,
    federationJwks,
    extraRoutes,
    logger,
    metrics: httpMetricsHooks(metrics),
  });

  const httpServer: Server = createHttpServer(
    { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS },
    getRequestListener(app.fetch, { overrideGlobalObjects: false }),
  );
  httpServer.on(
    'upgrade',
    handleUpgradeEvent({ client: endpoint, fetch: (request) => app.fetch(request) }, (error) =>
      logger.debug({ err: error }, 'upgrade socket error'),
    ),
  );
  httpServer.on('clientError', (error, socket) => {
    logger.debug({ err: error }, 'malformed HTTP request');
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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
  const parts: ShutdownParts = { httpServer, endpoint, scheduler, services, storage, db, logger, cluster };
  let closing: Promise<void> | undefined;

  return {
    get address() {
      return address;
    },
    devIssuer,
    metrics,
    logger,
    app,
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
      closing ??= shutdownServer(parts, config.shutdownTimeoutMs);
      return closing;
    },
  };
}
