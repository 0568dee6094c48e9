/** The cluster scenarios over the default transport, PostgreSQL LISTEN/NOTIFY. */
import { channelFor } from '@less-sync/app';
import { expect } from 'vitest';
import { admin, clusterSuite, postgresReachable } from './suite.js';

clusterSuite(
  {
    name: 'postgres',
    env: async () => ({}),
    // Drop every LISTEN connection of this schema's channel (pg_terminate_backend); they reconnect at once.
    async cut(schema) {
      const terminated = await admin(async (c) => {
        const rows = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query = $1', [
          `LISTEN ${channelFor(schema)}`,
        ]);
        for (const row of rows.rows) await c.query('SELECT pg_terminate_backend($1)', [row.pid]);
        return rows.rows.length;
      });
      expect(terminated).toBe(3);
    },
    restore: async () => undefined,
    close: async () => undefined,
  },
  await postgresReachable(),
);
