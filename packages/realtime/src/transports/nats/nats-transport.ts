import {
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { redactUrl } from '../redact.js';
import { TransportStatus } from '../status.js';
import {
  type ClusterTransport,
  describeError,
  reconnectDelayMs,
  type TransportHandlers,
  type TransportHealth,
} from '../types.js';
import { natsConnectOptions } from './url.js';

export interface NatsTransportOptions {
  /** `nats://` or `tls://` URL; `user:pass@` or `token@` userinfo is used to authenticate, never shown. */
  readonly url: string;
  /** Stream and subject suffix; one per service (instances of one database and schema share it). */
  readonly channel: string;
  /** Stream retention: at most this many hints (default 10 000) … */
  readonly maxMessages?: number;
  /** … and none older than this (default 10 minutes). */
  readonly maxAgeMs?: number;
  /** Called on connection errors (already reflected in health()). */
  readonly onError?: (err: unknown) => void;
}

const PUBLISH_TIMEOUT_MS = 2_000;

/**
 * NATS JetStream transport. Hints go to a stream with bounded retention (max messages, max age; oldest
 * discarded); each instance reads it with an ordered consumer of its own starting at new messages. The
 * client reconnects by itself and the ordered consumer resumes after the last stream sequence it saw;
 * when the next sequence it gets is not the one after that (retention dropped hints meanwhile, or the
 * stream was lost), `resumed` asks the cluster layer to catch up from the database.
 */
export class NatsTransport implements ClusterTransport {
  readonly kind = 'nats' as const;
  /** Well under NATS's default 1 MiB payload limit; bigger frames travel as cursor-only hints. */
  readonly maxMessageBytes = 16 * 1024;
  private readonly stream: string;
  private readonly subject: string;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private messages: ConsumerMessages | undefined;
  private handlers: TransportHandlers | undefined;
  private readonly status = new TransportStatus('nats', (health) => this.handlers?.stateChanged?.(health));
  private connected = false;
  /** Stream sequence of the next hint expected; 0 before the consumer exists. */
  private nextSeq = 0;
  private attempt = 0;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: NatsTransportOptions) {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(options.channel))
      throw new Error(`invalid channel ${options.channel}`);
    this.stream = `LESS_SYNC_${options.channel}`;
    this.subject = `less-sync.${options.channel}`;
  }

  async start(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    try {
      await this.open();
    } catch (err) {
      const clean = this.redact(err);
      this.status.set('degraded', describeError(clean));
      this.loop = this.retryOpen();
      throw clean;
    }
  }

  async publish(body: string): Promise<void> {
    if (this.status.closed) throw new Error('nats transport closed');
    // While disconnected the client would buffer and time out; reject at once (the caller retries).
    if (this.js === undefined || !this.connected) throw new Error('nats transport disconnected');
    try {
      await this.js.publish(this.subject, body, { timeout: PUBLISH_TIMEOUT_MS });
    } catch (err) {
      throw this.redact(err);
    }
  }

  health(): TransportHealth {
    return this.status.health();
  }

  async close(): Promise<void> {
    if (!this.status.close()) return;
    await this.messages?.close().catch(() => undefined);
    await this.nc?.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }

  /** First connection failed: retry with the shared backoff until it succeeds or the transport closes. */
  private async retryOpen(): Promise<void> {
    while (!this.status.closed && this.nc === undefined) {
      await this.status.sleep(reconnectDelayMs(this.attempt++));
      if (this.status.closed) return;
      try {
        await this.open();
        // Nothing was read before: whatever happened meanwhile is unknown, so catch up.
        this.handlers?.resumed();
      } catch (err) {
        const clean = this.redact(err);
        this.options.onError?.(clean);
        this.status.set('degraded', describeError(clean));
      }
    }
  }

  private async open(): Promise<void> {
    const nc = await connect({
      ...natsConnectOptions(this.options.url),
      name: `less-sync ${this.options.channel}`,
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => reconnectDelayMs(this.attempt++),
    });
    let attached: { messages: ConsumerMessages; gap: boolean };
    try {
      this.js = jetstream(nc);
      attached = await this.attach(nc);
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
    if (this.status.closed) {
      await nc.close().catch(() => undefined);
      return;
    }
    this.nc = nc;
    this.connected = true;
    this.attempt = 0;
    this.status.set('ok', undefined);
    void this.watchStatus(nc);
    void this.read(nc, attached.messages);
  }

  /**
   * Make sure the stream exists (bounded retention) and start an ordered consumer at the next expected
   * sequence. `gap`: the stream restarted below that sequence (it was lost), so hints may be missing.
   */
  private async attach(nc: NatsConnection): Promise<{ messages: ConsumerMessages; gap: boolean }> {
    const jsm = await jetstreamManager(nc);
    const config: Partial<StreamConfig> & { name: string } = {
      name: this.stream,
      subjects: [this.subject],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: StorageType.File,
      max_msgs: this.options.maxMessages ?? 10_000,
      max_age: (this.options.maxAgeMs ?? 600_000) * 1_000_000,
      max_msg_size: this.maxMessageBytes * 2,
      num_replicas: 1,
    };
    const info = await jsm.streams.add(config).catch(() => jsm.streams.update(this.stream, config));
    const next = info.state.last_seq + 1;
    const gap = this.nextSeq !== 0 && next < this.nextSeq;
    if (this.nextSeq === 0 || gap) this.nextSeq = next;
    const consumer = await (this.js ?? jetstream(nc)).consumers.get(this.stream, {
      filter_subjects: this.subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.nextSeq,
    });
    // A lost stream ends the consumer (instead of waiting for it to come back): the read loop recreates it.
    const messages = await consumer.consume({
      max_messages: 256,
      idle_heartbeat: 5_000,
      expires: 15_000,
      abort_on_missing_resource: true,
    });
    this.messages = messages;
    return { messages, gap };
  }

  /** Deliver hints; if the consumer ever ends (stream deleted, fatal error), re-attach with backoff. */
  private async read(nc: NatsConnection, first: ConsumerMessages): Promise<void> {
    let messages = first;
    let attempt = 0;
    while (!this.status.closed) {
      try {
        for await (const m of messages) {
          const seq = m.seq;
          const gap = seq > this.nextSeq;
          this.nextSeq = Math.max(this.nextSeq, seq + 1);
          if (gap) this.handlers?.resumed();
          this.handlers?.message(m.string());
        }
        if (!this.status.closed) this.lost(new Error('nats consumer ended'));
      } catch (err) {
        this.lost(err);
      }
      if (this.status.closed || nc.isClosed()) return;
      await this.status.sleep(reconnectDelayMs(attempt++));
      if (this.status.closed) return;
      try {
        const attached = await this.attach(nc);
        messages = attached.messages;
        attempt = 0;
        this.connected = true;
        this.status.set('ok', undefined);
        if (attached.gap) this.handlers?.resumed();
      } catch (err) {
        this.lost(err);
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.status.closed) return;
      if (status.type === 'disconnect') {
        this.connected = false;
        this.status.set('degraded', 'disconnected from the NATS server');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.attempt = 0;
        this.status.set('ok', undefined);
      } else if (status.type === 'error') {
        this.options.onError?.(this.redact(status.error));
      }
    }
  }

  private lost(err: unknown): void {
    if (this.status.closed) return;
    const clean = this.redact(err);
    this.options.onError?.(clean);
    this.connected = false;
    this.status.set('degraded', describeError(clean));
  }

  private redact(err: unknown): Error {
    return redactUrl(err, this.options.url);
  }
}
