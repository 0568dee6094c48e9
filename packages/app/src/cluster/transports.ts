import { type ClusterTransport, NatsTransport, RedisTransport } from '@less-sync/realtime';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker.js';

/**
 * Redis Streams or NATS JetStream, named by BROKER_URL. Connection errors are logged at debug level
 * (the state changes that matter are logged by the cluster broker and shown on /health and /readyz);
 * the URL itself never reaches a log line.
 */
export function createBrokerTransport(
  config: Exclude<BrokerConfig, { kind: 'memory' | 'postgres' }>,
  channel: string,
  logger: Logger,
): ClusterTransport {
  const onError = (err: unknown) => logger.debug({ err }, `cluster ${config.kind} connection error`);
  return config.kind === 'redis'
    ? new RedisTransport({ url: config.url, channel, onError })
    : new NatsTransport({ url: config.url, channel, onError });
}
