/**
 * The configuration reference: every environment variable the server reads, in the README's order. The
 * README's configuration table is generated from this list and a test keeps the two equal (run
 * `UPDATE_CONFIG_TABLE=1 npx vitest run test/config/variables.test.ts` in packages/app after an edit);
 * the compose and Kubernetes files are validated against it. Add a variable here when you add one.
 */
export interface ConfigVariable {
  /** Every variable name the row covers (aliases included). */
  readonly names: readonly string[];
  /** The README's first cell (markdown). */
  readonly label: string;
  readonly default: string;
  readonly meaning: string;
  /** Holds a credential: `<NAME>_FILE` may give it instead, and it is never logged. */
  readonly secret?: boolean;
  /** Must be set when `NODE_ENV=production` (as in the container image). */
  readonly requiredInProduction?: boolean;
}

const FEDERATION_QUOTAS = [
  'FEDERATION_MAX_SPACES',
  'FEDERATION_MAX_RECORDS_PER_HOUR',
  'FEDERATION_MAX_BYTES_PER_HOUR',
  'FEDERATION_MAX_INVITATIONS_PER_HOUR',
  'FEDERATION_MAX_CONNECTIONS',
];

const rateLimit = (action: string, defaults: string, meaning: string): ConfigVariable => ({
  names: [`RATE_LIMIT_${action}_MAX`, `RATE_LIMIT_${action}_WINDOW_SECONDS`],
  label: `\`RATE_LIMIT_${action}_MAX\` / \`_WINDOW_SECONDS\``,
  default: defaults,
  meaning,
});

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    names: ['LISTEN_ADDR'],
    label: '`LISTEN_ADDR`',
    default: '`127.0.0.1:5379`; `0.0.0.0:5379` when `TRUSTED_ISSUERS` is set or `NODE_ENV=production`',
    meaning:
      'bind address, literal `IPv4:port` or `[IPv6]:port` (port 0 = any); checked free before the database is opened',
  },
  {
    names: ['LESS_SYNC_DATA_DIR'],
    label: '`LESS_SYNC_DATA_DIR`',
    default: '`./data`',
    meaning: 'embedded database (`<dir>/pglite`) and default local files (`<dir>/files`)',
  },
  {
    names: ['DATABASE_URL'],
    label: '`DATABASE_URL`',
    default: 'unset: embedded PGlite',
    meaning:
      '`postgres://user:pass@host:port/db`; `sslmode=disable\\|allow\\|prefer\\|require\\|verify-ca\\|verify-full` and `options=-csearch_path=<schema>` honoured',
    secret: true,
  },
  {
    names: ['MIGRATE_ON_START'],
    label: '`MIGRATE_ON_START`',
    default: '`true`',
    meaning: 'apply pending migrations at start; `false`: refuse to start on a schema that is not current',
  },
  {
    names: ['DATABASE_POOL_SIZE'],
    label: '`DATABASE_POOL_SIZE`',
    default: '`10`',
    meaning: 'PostgreSQL pool connections',
  },
  {
    names: ['DATABASE_WRITE_RESERVE'],
    label: '`DATABASE_WRITE_RESERVE`',
    default: '`3` (at most pool size − 1)',
    meaning: 'pool connections pull reads never take, kept for pushes and other writes',
  },
  {
    names: ['PULL_MAX_PER_CONNECTION'],
    label: '`PULL_MAX_PER_CONNECTION`',
    default: '`2`',
    meaning: 'pulls one connection runs at once',
  },
  {
    names: ['PULL_MAX_PER_USER'],
    label: '`PULL_MAX_PER_USER`',
    default: '`4`',
    meaning: 'pulls one user runs at once over all their connections',
  },
  {
    names: ['PULL_QUEUE_WAIT_MS'],
    label: '`PULL_QUEUE_WAIT_MS`',
    default: '`5000`',
    meaning:
      'how long a pull over either bound waits for a slot before `rate_limited` (`too many concurrent pulls`)',
  },
  {
    names: ['PULL_PAGE_ROWS'],
    label: '`PULL_PAGE_ROWS`',
    default: '`2000`',
    meaning: 'most entries per pull page (each page is one short query; no connection is held between pages)',
  },
  {
    names: ['PULL_PAGE_BYTES'],
    label: '`PULL_PAGE_BYTES`',
    default: '`1048576` (1 MiB)',
    meaning:
      'most bytes per pull page (a single larger record is a page of its own); a pull holds at most two pages: the one being sent and the next, read ahead',
  },
  {
    names: ['TRUSTED_ISSUERS'],
    label: '`TRUSTED_ISSUERS`',
    default: 'unset: development issuer (see below)',
    meaning:
      'whitespace-separated `issuer` or `issuer=jwks_url` (http/https); default JWKS `<issuer>/.well-known/jwks.json`; required in production',
    requiredInProduction: true,
  },
  {
    names: ['AUDIENCES'],
    label: '`AUDIENCES`',
    default: 'empty (no check)',
    meaning: 'comma-separated accepted JWT `aud` values',
  },
  {
    names: ['JWT_CLOCK_LEEWAY_SECONDS'],
    label: '`JWT_CLOCK_LEEWAY_SECONDS`',
    default: '`60`',
    meaning: 'clock skew tolerated on `exp`/`nbf` (0–3600)',
  },
  {
    names: ['JWT_ALLOW_MISSING_EXP'],
    label: '`JWT_ALLOW_MISSING_EXP`',
    default: '`false`',
    meaning: 'accept JWTs without `exp`',
  },
  {
    names: ['FILE_STORAGE_BACKEND', 'FILE_STORAGE'],
    label: '`FILE_STORAGE_BACKEND` (alias `FILE_STORAGE`)',
    default: '`local` with the embedded database, `none` with `DATABASE_URL`',
    meaning: '`none`, `local` (`fs`) or `s3`; `none` disables the file routes',
  },
  {
    names: ['FILE_STORAGE_PATH', 'FILE_FS_PATH'],
    label: '`FILE_STORAGE_PATH` (alias `FILE_FS_PATH`)',
    default: '`<data dir>/files`',
    meaning: 'local blob directory (created)',
  },
  {
    names: ['FILE_S3_ENDPOINT', 'FILE_S3_BUCKET'],
    label: '`FILE_S3_ENDPOINT`, `FILE_S3_BUCKET`',
    default: '—',
    meaning: 'required for `s3`',
  },
  {
    names: ['FILE_S3_ACCESS_KEY', 'FILE_S3_SECRET_KEY'],
    label: '`FILE_S3_ACCESS_KEY`, `FILE_S3_SECRET_KEY`',
    default: 'unset: the standard AWS credential chain',
    meaning:
      'static S3 keys, both or neither; without them `AWS_*` variables, shared config files, web identity or instance roles apply',
    secret: true,
  },
  {
    names: ['FILE_S3_FORCE_PATH_STYLE'],
    label: '`FILE_S3_FORCE_PATH_STYLE`',
    default: '`false`',
    meaning: '`true`: bucket in the path (MinIO and most self-hosted stores); else virtual-hosted addressing',
  },
  {
    names: ['FILE_S3_REGION'],
    label: '`FILE_S3_REGION`',
    default: '`us-east-1`',
    meaning: 'signing region',
  },
  {
    names: ['FILE_S3_USE_SSL'],
    label: '`FILE_S3_USE_SSL`',
    default: '`true`',
    meaning: 'only `false` makes a scheme-less endpoint `http://`',
  },
  {
    names: ['MAX_FILE_SIZE'],
    label: '`MAX_FILE_SIZE`',
    default: '`104857600` (100 MiB)',
    meaning: 'largest upload in bytes (streamed, never held in memory)',
  },
  {
    names: ['IDENTITY_HASH_KEY'],
    label: '`IDENTITY_HASH_KEY`',
    default: 'generated once and stored in the database (warning)',
    meaning:
      '64 hex chars: HMAC key of rate-limit actor hashes and access-log user pseudonyms (shared by every instance)',
    secret: true,
  },
  {
    names: ['BROKER_URL'],
    label: '`BROKER_URL`',
    default: 'unset: PostgreSQL LISTEN/NOTIFY on `DATABASE_URL` (in-process with the embedded database)',
    meaning:
      'how instances of one service relay changes (see `docs/scaling.md`): `redis://` or `rediss://` for Redis Streams, `nats://` or `tls://` for NATS JetStream (credentials in the URL are used, never logged); any other scheme is a startup error; an unreachable broker is retried and shown as degraded on `/health` and `/readyz`',
  },
  {
    names: ['CLUSTER_HEARTBEAT_MS'],
    label: '`CLUSTER_HEARTBEAT_MS`',
    default: '`5000`',
    meaning: 'how often an instance records that it is alive (PostgreSQL only)',
  },
  {
    names: ['CLUSTER_DEAD_AFTER_MS'],
    label: '`CLUSTER_DEAD_AFTER_MS`',
    default: '`15000`',
    meaning:
      'an instance silent this long is dead: its mailbox slots are freed and its presence peers leave (at least twice the heartbeat)',
  },
  rateLimit('MEMBERSHIP_APPEND', '`10` / `3600`', 'membership appends per actor per window (MAX `0` = off)'),
  rateLimit('INVITATION_CREATE', '`10` / `3600`', 'invitations per actor per window'),
  rateLimit('SPACE_CREATE', '`100` / `3600`', 'shared spaces created per actor per window'),
  {
    names: ['FEDERATION_TRUSTED_KEYS'],
    label: '`FEDERATION_TRUSTED_KEYS`',
    default: 'empty (federation inbound off)',
    meaning: 'whitespace-separated `keyid=base64url(Ed25519 public key)`',
  },
  {
    names: ['FEDERATION_TRUSTED_DOMAINS'],
    label: '`FEDERATION_TRUSTED_DOMAINS`',
    default: 'derived from the key ids',
    meaning: 'comma-separated peer domains',
  },
  {
    names: ['FEDERATION_FST_SECRET', 'FEDERATION_FST_PREVIOUS_SECRET'],
    label: '`FEDERATION_FST_SECRET`, `FEDERATION_FST_PREVIOUS_SECRET`',
    default: 'unset',
    meaning: 'federation subscribe-token key and its predecessor',
    secret: true,
  },
  {
    names: ['FEDERATION_DOMAIN'],
    label: '`FEDERATION_DOMAIN`',
    default: 'unset',
    meaning:
      "this server's public domain; when set, the server refuses to start without a signing key for it (run `federation-keygen --domain <it>` once)",
  },
  {
    names: FEDERATION_QUOTAS,
    label:
      '`FEDERATION_MAX_SPACES`, `_MAX_RECORDS_PER_HOUR`, `_MAX_BYTES_PER_HOUR`, `_MAX_INVITATIONS_PER_HOUR`, `_MAX_CONNECTIONS`',
    default: '1000, 10000, 524288000, 100, 3',
    meaning: 'per-peer quotas',
  },
  {
    names: ['FEDERATION_CALL_TIMEOUT_MS'],
    label: '`FEDERATION_CALL_TIMEOUT_MS`',
    default: '`5000`',
    meaning:
      'deadline of every call forwarded to a home server, connecting included; past it the client gets `internal` and its other calls go on',
  },
  {
    names: ['FEDERATION_RECONNECT_MAX_MS'],
    label: '`FEDERATION_RECONNECT_MAX_MS`',
    default: '`30000`',
    meaning: 'longest wait between reconnect attempts to a peer (exponential backoff with jitter up to it)',
  },
  {
    names: ['FEDERATION_PEER_URLS'],
    label: '`FEDERATION_PEER_URLS`',
    default: 'unset: derived from `home_server` (`wss://<domain>/api/v1/federation/ws`, `ws://` on loopback)',
    meaning: 'comma-separated `<peer domain>=<ws:// or wss:// URL>` overriding the derived peer URL',
  },
  {
    names: ['FEDERATION_CA_FILE'],
    label: '`FEDERATION_CA_FILE`',
    default: 'unset: system roots only',
    meaning: 'PEM file of CA certificates also trusted when dialling `wss://` peers',
  },
  {
    names: ['PUBLIC_URL'],
    label: '`PUBLIC_URL`',
    default: 'unset',
    meaning: "this server's public base URL (federation signatures behind a proxy)",
  },
  {
    names: ['LOG_LEVEL', 'RUST_LOG'],
    label: '`LOG_LEVEL`',
    default: '`info`',
    meaning:
      '`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`; a plain `RUST_LOG` level is honoured when unset',
  },
  {
    names: ['SHUTDOWN_TIMEOUT_MS'],
    label: '`SHUTDOWN_TIMEOUT_MS`',
    default: '`10000`',
    meaning: 'how long SIGTERM/SIGINT waits for open requests before closing them',
  },
  {
    names: ['WS_AUTH_FRAME_MAX_BYTES'],
    label: '`WS_AUTH_FRAME_MAX_BYTES`',
    default: '`65536` (64 KiB)',
    meaning:
      'largest first (auth) WebSocket message; bigger closes 1009 before any token parsing; counted in `less_sync_limit_rejections_total`',
  },
  {
    names: ['WS_MAX_CONNECTIONS_PER_IP'],
    label: '`WS_MAX_CONNECTIONS_PER_IP`',
    default: '`256`',
    meaning: 'open client WebSockets per remote address; over it the upgrade is answered 429 (counted)',
  },
  {
    names: ['WS_MAX_CONNECTIONS_PER_USER'],
    label: '`WS_MAX_CONNECTIONS_PER_USER`',
    default: '`32`',
    meaning:
      'open client WebSockets per user (issuer + subject); over it the socket closes 4003 "too many connections" (counted); the per-mailbox limit of 3 still applies',
  },
  {
    names: ['HTTP_HEADERS_TIMEOUT_MS'],
    label: '`HTTP_HEADERS_TIMEOUT_MS`',
    default: '`30000`',
    meaning: "time to receive a request's headers; then 408 and the connection closes (counted)",
  },
  {
    names: ['HTTP_REQUEST_TIMEOUT_MS'],
    label: '`HTTP_REQUEST_TIMEOUT_MS`',
    default: '`900000`',
    meaning: 'time to receive a whole request, body included; then 408 (counted)',
  },
  {
    names: ['UPLOAD_IDLE_TIMEOUT_MS'],
    label: '`UPLOAD_IDLE_TIMEOUT_MS`',
    default: '`30000`',
    meaning:
      'a file upload whose body sends nothing this long is cut off with 408 (counted); `0` turns it off; `MAX_FILE_SIZE` still bounds the size',
  },
  {
    names: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_SERVICE_NAME'],
    label: '`OTEL_EXPORTER_OTLP_ENDPOINT` (or `_TRACES_ENDPOINT`), `OTEL_SERVICE_NAME`',
    default: 'unset: tracing off',
    meaning:
      'OTLP/HTTP collector base URL (`/v1/traces` is appended) or full traces URL: spans of HTTP requests, RPC calls and database queries; service name default `less-sync`',
  },
  {
    names: ['NODE_ENV'],
    label: '`NODE_ENV`',
    default: '—',
    meaning: '`production` turns the development issuer off for good',
  },
  {
    names: [],
    label: '`<SECRET>_FILE`',
    default: 'unset',
    meaning:
      'for each secret (`DATABASE_URL`, `FILE_S3_ACCESS_KEY`, `FILE_S3_SECRET_KEY`, `IDENTITY_HASH_KEY`, `FEDERATION_FST_SECRET`, `FEDERATION_FST_PREVIOUS_SECRET`): read the value from this file, trailing newlines removed; setting both forms is an error',
  },
];

/** Variables whose value may come from `<NAME>_FILE`. */
export const SECRET_VARIABLES: readonly string[] = CONFIG_VARIABLES.filter((v) => v.secret).flatMap(
  (v) => v.names,
);

/** Every name the server reads, `_FILE` forms included. */
export function knownVariableNames(): Set<string> {
  const names = new Set(CONFIG_VARIABLES.flatMap((v) => v.names));
  for (const name of SECRET_VARIABLES) names.add(`${name}_FILE`);
  return names;
}

/** The README table: a header, a separator and one row per entry, columns padded to equal width. */
export function renderVariablesTable(): string {
  const rows = [
    ['variable', 'default', 'meaning'],
    ...CONFIG_VARIABLES.map((v) => [v.label, v.default, v.meaning]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
