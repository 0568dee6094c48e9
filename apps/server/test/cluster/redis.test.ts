/** The cluster scenarios over Redis Streams (BROKER_URL=redis://…). */
import { brokerCase } from './broker-case.js';
import { clusterSuite, postgresReachable } from './suite.js';

const pg = await postgresReachable();
const redis = await brokerCase('redis', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 6379);
clusterSuite(redis.transport, pg && redis.reachable);
