import { createClient } from 'redis';
import { redactUrl } from '../redact.js';
import { TransportStatus } from '../status.js';
import {
  type ClusterTransport,
  describeError,
  reconnectDelayMs,
  type TransportHandlers,
  type TransportHealth,
} from '../types.js';

export interface RedisTransportOptions {
  /** `redis://` or `rediss://` URL (may carry a password: it never appears in errors or health). */
  readonly url: string;
  /** Stream key suffix; one per service (instances of one database and schema share it). */
  readonly channel: string;
  /** Approximate stream length bound (`XADD … MAXLEN ~`). Default 10 000. */
  readonly maxLength?: number;
  /** How long one XREAD blocks before it is reissued. Default 5 s. */
  readonly blockMs?: number;
  /** Called on connection errors (already reflected in health()). */
  readonly onError?: (err: unknown) => void;
}

/** One connection; `reconnect: false` leaves reconnecting to the caller. No offline queue: commands
 * issued while disconnected reject at once instead of piling up. */
function newClient(url: string, reconnect: boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandsQueueMaxLength: 1_000,
    socket: {
      reconnectStrategy: reconnect ? (retries: number) => reconnectDelayMs(retries) : false,
      connectTimeout: 5_000,
    },
  });
}

type Client = ReturnType<typeof newClient>;

const FIELD = 'h';

/**
 * Redis Streams transport. Hints are appended with XADD (the stream trimmed to about `maxLength`); each
 * instance reads them with XREAD BLOCK on its own connection from the last id it saw, so a reconnect
 * resumes where it stopped. When that id is no longer in the stream (trimmed, or Redis restarted without
 * persistence) hints may have been lost and `resumed` asks the cluster layer to catch up from the database.
 */
export class RedisTransport implements ClusterTransport {
  readonly kind = 'redis' as const;
  /** Keeps the trimmed stream small: bigger frames travel as cursor-only hints. */
  readonly maxMessageBytes = 16 * 1024;
  private readonly key: string;
  private readonly maxLength: number;
  private readonly blockMs: number;
  private readonly publisher: Client;
  private reader: Client | undefined;
  private handlers: TransportHandlers | undefined;
  private readonly status = new TransportStatus('redis', (health) => this.handlers?.stateChanged?.(health));
  private lastId = '0-0';
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RedisTransportOptions) {
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(options.channel))
      throw new Error(`invalid channel ${options.channel}`);
    this.key = `less-sync:${options.channel}`;
    this.maxLength = options.maxLength ?? 10_000;
    this.blockMs = options.blockMs ?? 5_000;
    // The publisher reconnects by itself; while it is down publish rejects at once (no unbounded queue).
    this.publisher = newClient(options.url, true);
    this.publisher.on('error', (err: unknown) => this.options.onError?.(this.redact(err)));
  }

  async start(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    // The publisher connects (and reconnects) by itself; start waits for it only while Redis answers.
    const publisherReady = this.publisher
      .connect()
      .then(() => undefined)
      .catch((err: unknown) => this.options.onError?.(this.redact(err)));
    let reader: Client;
    try {
      reader = await this.openReader();
      // The newest id now: this instance starts at new hints.
      const newest = await reader.xRevRange(this.key, '+', '-', { COUNT: 1 });
      this.lastId = newest?.[0]?.id ?? '0-0';
    } catch (err) {
      this.status.set('degraded', describeError(this.redact(err)));
      this.loop = this.run(1);
      throw this.redact(err);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      publisherReady,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 5_000);
      }),
    ]);
    clearTimeout(timer);
    this.reader = reader;
    this.status.set('ok', undefined);
    this.loop = this.run(0);
  }

  async publish(body: string): Promise<void> {
    if (this.status.closed) throw new Error('redis transport closed');
    if (!this.publisher.isReady) throw new Error('redis transport disconnected');
    try {
      await this.publisher.xAdd(
        this.key,
        '*',
        { [FIELD]: body },
        { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.maxLength } },
      );
    } catch (err) {
      throw this.redact(err);
    }
  }

  health(): TransportHealth {
    return this.status.health();
  }

  /** The reader connection's CLIENT ID (tests kill it to prove resume). */
  async readerClientId(): Promise<number | undefined> {
    return this.reader?.clientId();
  }

  async close(): Promise<void> {
    if (!this.status.close()) return;
    this.reader?.destroy();
    this.reader = undefined;
    if (this.publisher.isOpen) this.publisher.destroy();
    await this.loop?.catch(() => undefined);
  }

  /** Read forever; on a failure back off, reconnect, and resume from the last id seen. */
  private async run(attempt: number): Promise<void> {
    while (!this.status.closed) {
      if (this.reader === undefined) {
        await this.status.sleep(reconnectDelayMs(attempt++));
        if (this.status.closed) return;
        try {
          const reader = await this.openReader();
          const gap = await this.gapSince(reader, this.lastId);
          if (this.status.closed) {
            reader.destroy();
            return;
          }
          this.reader = reader;
          attempt = 0;
          this.status.set('ok', undefined);
          if (gap) this.handlers?.resumed();
        } catch (err) {
          this.lost(err);
          continue;
        }
      }
      try {
        const reply = await this.reader.xRead(
          { key: this.key, id: this.lastId },
          { BLOCK: this.blockMs, COUNT: 500 },
        );
        for (const stream of reply ?? []) {
          for (const entry of stream.messages) {
            this.lastId = entry.id;
            const body = entry.message[FIELD];
            if (typeof body === 'string') this.handlers?.message(body);
          }
        }
      } catch (err) {
        this.lost(err);
      }
    }
  }

  /** The reader has no reconnect of its own: the loop above owns backoff and resume. */
  private async openReader(): Promise<Client> {
    const reader = newClient(this.options.url, false);
    reader.on('error', (err: unknown) => this.options.onError?.(this.redact(err)));
    try {
      await reader.connect();
    } catch (err) {
      if (reader.isOpen) reader.destroy();
      throw err;
    }
    return reader;
  }

  /**
   * Whether hints after `id` may be gone: the id is no longer in the stream (trimmed past it, or the stream
   * was lost). An empty starting point ('0-0') cannot be checked, so it counts as a gap.
   */
  private async gapSince(reader: Client, id: string): Promise<boolean> {
    if (id === '0-0') return true;
    const same = await reader.xRange(this.key, id, id);
    return (same?.length ?? 0) === 0;
  }

  private lost(err: unknown): void {
    if (this.status.closed) return;
    const reader = this.reader;
    this.reader = undefined;
    if (reader?.isOpen) reader.destroy();
    const clean = this.redact(err);
    this.options.onError?.(clean);
    this.status.set('degraded', describeError(clean));
  }

  private redact(err: unknown): Error {
    return redactUrl(err, this.options.url);
  }
}
