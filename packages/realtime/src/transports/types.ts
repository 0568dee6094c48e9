/**
 * The one seam between the cluster layer and a message bus (PostgreSQL LISTEN/NOTIFY, Redis Streams,
 * NATS JetStream, or in-process memory). A transport carries small text hints between instances; it
 * never carries the data of record: a receiver that missed hints catches up from the database.
 */

/** `ok`: connected and listening. `degraded`: messages may be missed until it reconnects. */
export type TransportState = 'ok' | 'degraded' | 'closed';

export interface TransportHealth {
  readonly kind: TransportKind;
  readonly state: TransportState;
  /** Why it is degraded (last connection error), for logs and /health. */
  readonly detail?: string;
}

export type TransportKind = 'memory' | 'postgres' | 'redis' | 'nats';

export interface TransportHandlers {
  /** One hint published by any instance (this one included; the cluster layer drops its own). */
  message(body: string): void;
  /**
   * The listener is back after a gap in which hints may have been lost: the cluster layer catches up every
   * locally watched space from the database.
   */
  resumed(): void;
  /** State changed (logging, metrics). */
  stateChanged?(health: TransportHealth): void;
}

export interface ClusterTransport {
  readonly kind: TransportKind;
  /** Largest hint body `publish` accepts, in UTF-8 bytes; bigger payloads travel as cursor-only hints. */
  readonly maxMessageBytes: number;
  /** Connect and start listening. Resolves once listening, or rejects when the first connection fails
   * (the transport keeps retrying in the background and reports `degraded` meanwhile). */
  start(handlers: TransportHandlers): Promise<void>;
  /** Send one hint to every instance. Rejects while disconnected (the caller logs it; data stays in the DB). */
  publish(body: string): Promise<void>;
  health(): TransportHealth;
  /** Stop listening and release connections. Idempotent. */
  close(): Promise<void>;
}

/** Reconnect backoff shared by the network transports: 100 ms doubling up to 2 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(2000, 100 * 2 ** Math.min(attempt, 5));
}

/** Error text for health output, never the connection string. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
