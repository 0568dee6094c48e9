/**
 * The server's configuration: one immutable object built once from the environment by `loadConfig`
 * and passed to everything that needs it. Nothing else reads `process.env`.
 */
import type { RateLimitsConfig } from '@less-sync/api';
import type { CapacityConfig } from './capacity.js';
import type { LimitsConfig } from './limits.js';
import type { TracingConfig } from './tracing.js';

/** Raw environment: `process.env` or a test's literal object. */
export type Env = Readonly<Record<string, string | undefined>>;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A literal socket address (CONFIG-02). `host` has no brackets; `family` tells 4 from 6. */
export interface ListenAddr {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** As written back: `1.2.3.4:5379` or `[::1]:5379`. */
  readonly text: string;
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** CONFIG-03 / R23: a real PostgreSQL server, or embedded PGlite in the data directory. */
import type { BrokerConfig, ClusterConfig } from './broker.js';

export type DatabaseConfig =
  | {
      readonly kind: 'postgres';
      /** The URL exactly as given (it may carry a password: never log it). */
      readonly url: string;
      /** `sslmode` query parameter when present. */
      readonly sslMode: SslMode | undefined;
      /** Schema from `options=-csearch_path=<schema>` when present (per-test schemas, BOOT-07). */
      readonly searchPath: string | undefined;
    }
  | { readonly kind: 'embedded'; readonly dir: string };

export interface TrustedIssuer {
  /** Issuer with trailing slashes removed (the key JWT `iss` values are matched against). */
  readonly issuer: string;
  readonly jwksUrl: string;
}

export type { TracingConfig } from './tracing.js';

export interface S3StorageConfig {
  readonly kind: 's3';
  /** As configured (trimmed); `useSsl` decides the scheme when it has none (FILES-13). */
  readonly endpoint: string;
  /** Static keys (both or neither); undefined: the AWS SDK's standard credential chain. */
  readonly accessKey: string | undefined;
  readonly secretKey: string | undefined;
  readonly bucket: string;
  readonly region: string;
  readonly useSsl: boolean;
  /** `FILE_S3_FORCE_PATH_STYLE`: bucket in the path; default virtual-hosted. */
  readonly forcePathStyle: boolean;
}

/** CONFIG-07 / CONFIG-08. `none` means the file routes are not registered. */
export type FileStorageConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'local'; readonly path: string }
  | S3StorageConfig;

/** R12: on by default, configurable per action; the API's own type, so the config passes straight through. */
export type { RateLimit, RateLimitsConfig } from '@less-sync/api';

/** R14. */
export interface JwtConfig {
  readonly clockLeewaySeconds: number;
  readonly allowMissingExp: boolean;
}

/** FED-QUOTA-01. */
export interface FederationQuotas {
  readonly maxSpaces: number;
  readonly maxRecordsPerHour: number;
  readonly maxBytesPerHour: number;
  readonly maxInvitationsPerHour: number;
  readonly maxConnections: number;
}

/** One `FEDERATION_TRUSTED_KEYS` entry (FED-KEY-05). */
export interface TrustedFederationKey {
  /** Full key id, fragment included (matched exactly, FED-WS-04). */
  readonly keyId: string;
  /** Canonical domain derived from the key id (port dropped). */
  readonly domain: string;
  /** Raw 32-byte Ed25519 public key, a valid curve point. */
  readonly publicKey: Uint8Array;
}

export interface FederationConfig {
  /** Canonical, sorted, de-duplicated; derived from the key domains when not configured. */
  readonly trustedDomains: readonly string[];
  /** In first-seen order; a later duplicate key id replaced the earlier value. */
  readonly trustedKeys: readonly TrustedFederationKey[];
  /** Non-empty trusted keys: the inbound authenticator and federation routes are on (FED-KEY-08). */
  readonly inboundEnabled: boolean;
  readonly fstSecret: string | undefined;
  /** Only kept when `fstSecret` is set (FED-KEY-06). */
  readonly fstPreviousSecret: string | undefined;
  readonly quotas: FederationQuotas;
  /** FEDERATION_DOMAIN (canonical): this server federates, so it must hold a primary key for it (FED-KEY-02). */
  readonly domain: string | undefined;
  /** The origin side: how this server calls peers (used when a primary signing key exists). */
  readonly outbound: FederationOutboundConfig;
}

export interface FederationOutboundConfig {
  /** FEDERATION_CALL_TIMEOUT_MS: every forwarded call's deadline, dial included (B8). */
  readonly callTimeoutMs: number;
  /** FEDERATION_RECONNECT_MAX_MS: the backoff ceiling between reconnect attempts. */
  readonly reconnectMaxMs: number;
  /** FEDERATION_PEER_URLS: canonical peer domain → federation URL, instead of the derived one. */
  readonly peerUrls: Readonly<Record<string, string>>;
  /** FEDERATION_CA_FILE: PEM certificates trusted for `wss://` peers besides the system roots. */
  readonly caFile: string | undefined;
  /** NODE_EXTRA_CA_CERTS, kept beside FEDERATION_CA_FILE (Node's `ca` option would otherwise drop it). */
  readonly nodeExtraCaFile: string | undefined;
}

export interface IdentityHashKeyConfig {
  /** 32-byte HMAC key for rate-limit actor hashes. */
  readonly key: Uint8Array;
  /** True when `IDENTITY_HASH_KEY` was unset and a random key was made at start (R12). */
  readonly generated: boolean;
}

export interface Config {
  readonly nodeEnv: string | undefined;
  /** `NODE_ENV === 'production'`. */
  readonly production: boolean;
  readonly listenAddr: ListenAddr;
  /** `LESS_SYNC_DATA_DIR`: the embedded database and default local files live under it. */
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  /** BROKER_URL: how instances relay changes (see config/broker.ts). */
  readonly broker: BrokerConfig;
  readonly cluster: ClusterConfig;
  /** Empty when none configured (then `devIssuer` says whether the built-in development issuer runs). */
  readonly issuers: readonly TrustedIssuer[];
  readonly devIssuer: boolean;
  /** Empty: no audience check (CONFIG-05). */
  readonly audiences: readonly string[];
  readonly fileStorage: FileStorageConfig;
  /** R21: upload limit in bytes. */
  readonly maxFileSize: number;
  readonly identityHashKey: IdentityHashKeyConfig;
  readonly federation: FederationConfig;
  readonly rateLimits: RateLimitsConfig;
  readonly jwt: JwtConfig;
  readonly migrateOnStart: boolean;
  readonly logLevel: LogLevel;
  /** R24: how long shutdown waits for in-flight work before closing anyway. */
  readonly shutdownTimeoutMs: number;
  /** R16: the server's public base URL (no trailing slash), used to rebuild `@target-uri`. */
  readonly publicUrl: string | undefined;
  /** Database pool, write reserve, pull concurrency and page bounds. */
  readonly capacity: CapacityConfig;
  /** OpenTelemetry export; undefined: tracing off (no OpenTelemetry code is loaded). */
  readonly tracing: TracingConfig | undefined;
  /** Non-fatal findings to log once at start (e.g. a generated identity hash key). */
  readonly warnings: readonly string[];
  readonly limits: LimitsConfig;
}
