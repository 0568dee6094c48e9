import type { ClusterTransport } from '@less-sync/realtime';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker.js';

/** Redis Streams or NATS JetStream, named by BROKER_URL. */
export async function createBrokerTransport(
  config: Exclude<BrokerConfig, { kind: 'memory' | 'postgres' }>,
  channel: string,
  logger: Logger,
): Promise<ClusterTransport> {
  void channel;
  void logger;
  throw new Error(`BROKER_URL: the ${config.kind} transport is not available in this build`);
}
