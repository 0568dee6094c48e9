import { describe, expect, it } from 'vitest';
import { parseBrokerConfig, parseClusterConfig } from '../../src/config/broker.js';
import { ConfigError } from '../../src/config/errors.js';
import type { DatabaseConfig } from '../../src/config/types.js';

const pg: DatabaseConfig = {
  kind: 'postgres',
  url: 'postgres://db/x',
  sslMode: undefined,
  searchPath: undefined,
};
const embedded: DatabaseConfig = { kind: 'embedded', dir: '/tmp/x' };

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('CLUSTER-05 CLUSTER-06 BROKER_URL', () => {
  it('unset: PostgreSQL LISTEN/NOTIFY on DATABASE_URL, or in-process with the embedded database', () => {
    expect(parseBrokerConfig({}, pg)).toEqual({ kind: 'postgres', url: 'postgres://db/x' });
    expect(parseBrokerConfig({ BROKER_URL: '  ' }, embedded)).toEqual({ kind: 'memory' });
  });

  it('redis://, rediss://, nats:// and tls:// select Redis Streams or NATS JetStream', () => {
    for (const [url, kind] of [
      ['redis://:pw@cache:6379/0', 'redis'],
      ['rediss://cache:6380', 'redis'],
      ['nats://bus:4222', 'nats'],
      ['tls://user:pw@bus:4222', 'nats'],
    ] as const) {
      expect(parseBrokerConfig({ BROKER_URL: url }, pg)).toEqual({ kind, url });
    }
  });

  it('an unknown kind, a non-URL or a broker without PostgreSQL refuses to start, naming BROKER_URL', () => {
    const unknown = failure(() => parseBrokerConfig({ BROKER_URL: 'kafka://k:9092' }, pg));
    expect(unknown.variable).toBe('BROKER_URL');
    expect(unknown.message).toMatch(/BROKER_URL has an unsupported scheme "kafka"/);
    const garbage = failure(() => parseBrokerConfig({ BROKER_URL: 'not a url' }, pg));
    expect(garbage.message).toMatch(/BROKER_URL must be a URL/);
    const lonely = failure(() => parseBrokerConfig({ BROKER_URL: 'redis://x' }, embedded));
    expect(lonely.message).toMatch(/BROKER_URL needs DATABASE_URL/);
  });

  it('the password in a rejected BROKER_URL never appears in the error', () => {
    const err = failure(() => parseBrokerConfig({ BROKER_URL: 'amqp://u:s3cretpw@h' }, pg));
    expect(err.message).not.toContain('s3cretpw');
  });
});

describe('CLUSTER_HEARTBEAT_MS / CLUSTER_DEAD_AFTER_MS', () => {
  it('defaults, bounds and the dead-after ≥ 2 × heartbeat rule', () => {
    expect(parseClusterConfig({})).toEqual({ heartbeatMs: 5_000, deadAfterMs: 15_000 });
    expect(failure(() => parseClusterConfig({ CLUSTER_HEARTBEAT_MS: '5' })).variable).toBe(
      'CLUSTER_HEARTBEAT_MS',
    );
    expect(
      failure(() => parseClusterConfig({ CLUSTER_HEARTBEAT_MS: '1000', CLUSTER_DEAD_AFTER_MS: '1500' }))
        .variable,
    ).toBe('CLUSTER_DEAD_AFTER_MS');
  });
});
