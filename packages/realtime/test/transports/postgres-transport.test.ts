import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresTransport } from '../../src/index.js';
import { expectChannelFanOut, recordingHandlers } from '../support/transport-handlers.js';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const channel = () => `lt_${randomBytes(6).toString('hex')}`;

describe('PostgresTransport (LISTEN/NOTIFY)', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
  });

  it('BROKER-10: a hint published by one instance is received by every listener on the channel', async () => {
    const ch = channel();
    const made: PostgresTransport[] = [];
    const { a } = await expectChannelFanOut('postgres', (same) => {
      const t = new PostgresTransport({ connectionString: url, channel: same ? ch : channel() });
      made.push(t);
      return t;
    });
    await Promise.all(made.map((t) => t.close()));
    expect(a.health().state).toBe('closed');
    await a.close();
  });

  it('rejects a channel name that is not a plain identifier', () => {
    expect(() => new PostgresTransport({ connectionString: url, channel: 'x; DROP TABLE y' })).toThrow(
      /invalid channel/,
    );
  });

  it('goes degraded when the LISTEN connection is killed, then reconnects and reports resumed', async () => {
    const ch = channel();
    const errors: unknown[] = [];
    const t = new PostgresTransport({ connectionString: url, channel: ch, onError: (e) => errors.push(e) });
    const r = recordingHandlers();
    await t.start(r.h);
    const pid = t.listenerPid();
    expect(pid).toBeTypeOf('number');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await vi.waitFor(() => expect(r.states).toContain('degraded'), { timeout: 20_000 });
    await vi.waitFor(() => expect(r.resumedCount()).toBe(1), { timeout: 30_000, interval: 50 });
    expect(t.health().state).toBe('ok');
    expect(t.listenerPid()).not.toBe(pid);
    expect(r.states).toEqual(['ok', 'degraded', 'ok']);
    expect(errors.length).toBeGreaterThan(0);
    // Listening again: a new hint arrives.
    await admin.query('SELECT pg_notify($1, $2)', [ch, 'after']);
    await vi.waitFor(() => expect(r.messages).toEqual(['after']), { timeout: 20_000 });
    await t.close();
  }, 60_000);

  it('start rejects when the database is unreachable and health carries the reason', async () => {
    const t = new PostgresTransport({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      channel: channel(),
    });
    await expect(t.start(recordingHandlers().h)).rejects.toThrow();
    const health = t.health();
    expect(health.state).toBe('degraded');
    expect(health.detail).toBeTruthy();
    expect(health.detail).not.toContain('postgres://');
    await t.close();
  });
});
