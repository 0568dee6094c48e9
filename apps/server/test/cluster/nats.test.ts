/** The cluster scenarios over NATS JetStream (BROKER_URL=nats://…). */
import { brokerCase } from './broker-case.js';
import { clusterSuite, postgresReachable } from './suite.js';

const pg = await postgresReachable();
const nats = await brokerCase('nats', process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 4222);
clusterSuite(nats.transport, pg && nats.reachable);
