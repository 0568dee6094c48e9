import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiConfig,
  type ApiLogger,
  type ApiServices,
  CLIENT_WS_PATH,
  type ClientIdentity,
  closeApiServices,
  createApiServices,
  createClientEndpoint,
  FEDERATION_WS_PATH,
  type FederationEndpoint,
  type FederationForwarder,
  type MethodGroupFactory,
  type RateLimitsConfig,
} from '@less-sync/api';
import { JwtValidator, type TokenValidator, UcanValidator } from '@less-sync/auth';
import { personalSpaceId } from '@less-sync/core';
import {
  type ConnectionConfig,
  InMemoryBroker,
  PresenceRegistry,
  type RealtimeEndpoint,
} from '@less-sync/realtime';
import { type BlobStore, createLocalBlobStore, type Storage } from '@less-sync/storage';
import { createTestStorage, type TestStorage, type TestStorageOptions } from '@less-sync/storage/testing';
import { type ConnectOptions, TestClient } from './client.js';
import { type JwtClaims, TestJwtIssuer } from './jwt.js';
import { type UcanCommand, UcanKey } from './ucan.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export interface TestServerOptions {
  /** Storage limits (e.g. a small `maxBlobBytes` to reach payload_too_large under the 4 MiB frame cap). */
  readonly storage?: TestStorageOptions;
  readonly config?: Partial<ApiConfig>;
  readonly rateLimits?: Partial<RateLimitsConfig>;
  readonly connection?: Partial<ConnectionConfig>;
  readonly federation?: FederationForwarder;
  /** A local blob store in a temp dir (default true). */
  readonly blobs?: boolean;
  readonly maxConnectionsPerMailbox?: number;
  readonly groups?: readonly MethodGroupFactory[];
  /** Wrap the JWT validator (fault injection). */
  readonly wrapTokenValidator?: (validator: TokenValidator) => TokenValidator;
  /** Extra trusted JWT issuers, each with its own JWKS endpoint (`server.otherIssuers`). */
  readonly extraIssuers?: number;
  /** Wrap the real storage (fault injection: make one operation fail, delay a stream...). */
  readonly wrapStorage?: (storage: Storage) => Storage;
  /** Mount a federation endpoint on `/api/v1/federation/ws` (home-server tests). */
  readonly inbound?: (services: ApiServices) => FederationEndpoint;
}

/** A test user: JWT claims, a did:key, and derived ids. */
export interface TestUser {
  readonly userId: string;
  readonly clientId: string;
  readonly mailboxId: string;
  readonly personalSpaceId: string;
  readonly key: UcanKey;
  readonly claims: JwtClaims;
  /** A fresh JWT for this user (claims override the defaults). */
  token(overrides?: JwtClaims): string;
}

/** A shared space created in storage with a root key that can grant UCANs. */
export interface TestSpace {
  readonly id: string;
  readonly root: UcanKey;
  /** A UCAN from the root straight to `user`. */
  grant(user: TestUser | string, cmd?: UcanCommand, extra?: { exp?: number }): string;
}

/**
 * An in-process server on 127.0.0.1: real PostgreSQL schema (migrated, one per server), real JWTs from a
 * local JWKS endpoint, auth's validators, the realtime endpoint with the full handler table, and a local blob
 * store. Every test starts its own and closes it.
 */
export class TestServer {
  readonly logs: LogEntry[] = [];
  /** The federation endpoint when `inbound` was given. */
  federation: FederationEndpoint | undefined;
  /** Trusted issuers besides `issuer` (see `extraIssuers`). */
  readonly otherIssuers: TestJwtIssuer[] = [];
  private userCount = 0;

  private constructor(
    readonly http: Server,
    readonly url: string,
    readonly db: TestStorage,
    readonly issuer: TestJwtIssuer,
    readonly services: ApiServices,
    readonly endpoint: RealtimeEndpoint<ClientIdentity>,
    readonly broker: InMemoryBroker,
    readonly blobs: BlobStore | undefined,
    private readonly blobDir: string | undefined,
    private readonly clients: Set<TestClient>,
  ) {}

  get storage(): Storage {
    return this.db.storage;
  }

  static async start(options: TestServerOptions = {}): Promise<TestServer> {
    const db = await createTestStorage(options.storage);
    const issuer = await TestJwtIssuer.start();
    const otherIssuers = await Promise.all(
      Array.from({ length: options.extraIssuers ?? 0 }, () => TestJwtIssuer.start()),
    );
    const blobDir = options.blobs === false ? undefined : await mkdtemp(join(tmpdir(), 'less-sync-api-'));
    const blobs = blobDir === undefined ? undefined : await createLocalBlobStore({ root: blobDir });
    const logs: LogEntry[] = [];
    const logger: ApiLogger = {
      debug: (fields, message) => logs.push({ level: 'debug', fields, message }),
      info: (fields, message) => logs.push({ level: 'info', fields, message }),
      warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
      error: (fields, message) => logs.push({ level: 'error', fields, message }),
    };
    const wrapValidator = options.wrapTokenValidator ?? ((v: TokenValidator) => v);
    const broker = new InMemoryBroker({ maxConnectionsPerMailbox: options.maxConnectionsPerMailbox ?? 3 });
    const services = createApiServices({
      storage: options.wrapStorage?.(db.storage) ?? db.storage,
      tokenValidator: wrapValidator(
        new JwtValidator({
          issuers: [issuer, ...otherIssuers].map((i) => ({ issuer: i.issuer, jwksUrl: i.jwksUrl })),
          leewaySeconds: 0,
        }),
      ),
      ucanValidator: new UcanValidator(),
      broker,
      presence: new PresenceRegistry(),
      blobs,
      federation: options.federation,
      logger,
      config: {
        identityHashKey: randomBytes(32),
        ...options.config,
        rateLimits: {
          membershipAppend: { max: 10, windowSeconds: 3600 },
          invitationCreate: { max: 10, windowSeconds: 3600 },
          spaceCreate: { max: 100, windowSeconds: 3600 },
          ...options.config?.rateLimits,
          ...options.rateLimits,
        },
        connection: { keepaliveIntervalMs: 0, ...options.connection },
      },
    });
    const endpoint = createClientEndpoint(
      services,
      options.groups === undefined ? {} : { groups: options.groups },
    );
    const federation = options.inbound?.(services);
    const http = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === CLIENT_WS_PATH) endpoint.handleUpgrade(req, socket, head);
      else if (path === FEDERATION_WS_PATH && federation) federation.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const server = new TestServer(
      http,
      `ws://127.0.0.1:${port}${CLIENT_WS_PATH}`,
      db,
      issuer,
      services,
      endpoint,
      broker,
      blobs,
      blobDir,
      new Set(),
    );
    (server as { logs: LogEntry[] }).logs = logs;
    server.federation = federation;
    server.otherIssuers.push(...otherIssuers);
    return server;
  }

  /** A new user with a personal space id derived as the accounts server does (SPACEID-02). */
  user(name = `user-${++this.userCount}`, overrides: JwtClaims = {}): TestUser {
    const clientId = `client-${name}`;
    const key = new UcanKey();
    const claims: JwtClaims = {
      sub: name,
      client_id: clientId,
      scope: 'sync files',
      personal_space_id: personalSpaceId(this.issuer.issuer, name, clientId),
      did: key.did,
      mailbox_id: randomBytes(32).toString('hex'),
      ...overrides,
    };
    const issuer = this.issuer;
    return {
      userId: name,
      clientId,
      mailboxId: String(claims.mailbox_id),
      personalSpaceId: String(claims.personal_space_id),
      key,
      claims,
      token: (extra = {}) => issuer.sign({ ...claims, ...extra }),
    };
  }

  /** Create a shared space (root key in storage) owned by `owner`'s client id. */
  async sharedSpace(owner?: TestUser, id: string = randomUUID()): Promise<TestSpace> {
    const root = new UcanKey();
    await this.storage.createSpace(id, owner?.clientId ?? 'owner-client', root.compressedPublicKey);
    return {
      id,
      root,
      grant: (user, cmd = '/space/write', extra = {}) =>
        root.issue({ audience: typeof user === 'string' ? user : user.key.did, space: id, cmd, ...extra }),
    };
  }

  /** Connect and authenticate (the auth frame goes out on open; nothing is awaited, as the SDK does). */
  async connect(who: TestUser | string, options: Omit<ConnectOptions, 'token'> = {}): Promise<TestClient> {
    const token = typeof who === 'string' ? who : who.token();
    const client = await TestClient.connect(this.url, { ...options, token });
    this.clients.add(client);
    return client;
  }

  /** Connect without sending anything. */
  async connectRaw(options: ConnectOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(this.url, options);
    this.clients.add(client);
    return client;
  }

  /** Ids of the live server-side connections, in the order they connected. */
  connectionIds(): string[] {
    return [...this.endpoint.connections()].map((c) => c.id);
  }

  /** Raw SQL in this server's schema (assertions on what the database holds). */
  async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.db.executor.query(text, params);
    return result.rows as T[];
  }

  logged(message: string | RegExp): LogEntry | undefined {
    return this.logs.find((l) =>
      typeof message === 'string' ? l.message === message : message.test(l.message),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients].map((c) => c.close()));
    await this.endpoint.shutdown({ graceMs: 1_000 });
    await this.federation?.shutdown({ graceMs: 1_000 });
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await closeApiServices(this.services);
    await this.issuer.close();
    await Promise.all(this.otherIssuers.map((i) => i.close()));
    await this.db.close();
    if (this.blobDir !== undefined) await rm(this.blobDir, { recursive: true, force: true });
  }
}
