import pg from 'pg';
import { TransportStatus } from '../status.js';
import {
  type ClusterTransport,
  describeError,
  reconnectDelayMs,
  type TransportHandlers,
  type TransportHealth,
} from '../types.js';

export interface PostgresTransportOptions {
  /** A libpq connection string (the server's DATABASE_URL). */
  readonly connectionString: string;
  /** LISTEN channel; one per service (instances of one database and schema share it). */
  readonly channel: string;
  /** Called on connection errors (already reflected in health()). */
  readonly onError?: (err: unknown) => void;
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const NOTIFY_LIMIT = 7900;

/**
 * LISTEN/NOTIFY transport: one dedicated listening connection (reconnected with backoff) and a small
 * pool for NOTIFY. NOTIFY is delivered only to sessions listening at commit time, so every reconnect is
 * reported as `resumed` and the cluster layer catches up from the database.
 */
export class PostgresTransport implements ClusterTransport {
  readonly kind = 'postgres' as const;
  readonly maxMessageBytes = NOTIFY_LIMIT;
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private handlers: TransportHandlers | undefined;
  private readonly status = new TransportStatus('postgres', (health) =>
    this.handlers?.stateChanged?.(health),
  );
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;

  constructor(private readonly options: PostgresTransportOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel))
      throw new Error(`invalid channel ${options.channel}`);
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 2 });
    this.pool.on('error', (err) => options.onError?.(err));
  }

  async start(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    await this.connect(false);
  }

  async publish(body: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [this.options.channel, body]);
  }

  health(): TransportHealth {
    return this.status.health();
  }

  /** The backend pid of the LISTEN connection (tests terminate it to prove catch-up). */
  listenerPid(): number | undefined {
    return (this.listener as unknown as { processID?: number } | undefined)?.processID;
  }

  async close(): Promise<void> {
    if (!this.status.close()) return;
    clearTimeout(this.retry);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async connect(resumed: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('listen connection ended')));
    client.on('notification', (msg) => {
      if (msg.channel === this.options.channel && msg.payload !== undefined)
        this.handlers?.message(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.lost(undefined, err);
      throw err;
    }
    if (this.status.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.attempt = 0;
    this.status.set('ok', undefined);
    if (resumed) this.handlers?.resumed();
  }

  private lost(client: pg.Client | undefined, err: unknown): void {
    if (this.status.closed) return;
    if (client !== undefined && client !== this.listener) return;
    if (client !== undefined) {
      this.listener = undefined;
      client.end().catch(() => undefined);
    }
    this.options.onError?.(err);
    this.status.set('degraded', describeError(err));
    if (this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.attempt++;
      this.connect(true).catch(() => undefined);
    }, reconnectDelayMs(this.attempt));
    this.retry.unref();
  }
}
