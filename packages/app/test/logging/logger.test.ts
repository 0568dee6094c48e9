import { describe, expect, it } from 'vitest';
import { connectionLogger, createLogger, loadConfig, requestLogger } from '../../src/index.js';

function capture(): { lines: () => Array<Record<string, unknown>>; write: (msg: string) => void } {
  const chunks: string[] = [];
  return {
    write: (msg) => {
      chunks.push(msg);
    },
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('logging (CONFIG-10)', () => {
  it('CONFIG-10 writes one JSON object per line with a level name, time and message', () => {
    const out = capture();
    const logger = createLogger({ logLevel: 'info' }, { destination: out });
    logger.info({ addr: '127.0.0.1:5379' }, 'server listening');
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'info',
      msg: 'server listening',
      addr: '127.0.0.1:5379',
      service: 'less-sync',
    });
    expect(typeof line?.time).toBe('string');
    expect(Number.isNaN(Date.parse(String(line?.time)))).toBe(false);
  });

  it('CONFIG-10 the level comes from the configuration', () => {
    const out = capture();
    const logger = createLogger(loadConfig({ LOG_LEVEL: 'warn' }), { destination: out });
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    logger.error('shown too');
    expect(out.lines().map((l) => l.level)).toEqual(['warn', 'error']);
    expect(logger.level).toBe('warn');

    const silent = capture();
    createLogger({ logLevel: 'silent' }, { destination: silent }).fatal('nothing');
    expect(silent.lines()).toEqual([]);
  });

  it('child loggers carry conn_id and req_id on every line', () => {
    const out = capture();
    const root = createLogger({ logLevel: 'debug' }, { destination: out });
    const conn = connectionLogger(root, 'c-1');
    conn.debug('subscribed');
    requestLogger(conn, 'r-9').info({ method: 'push' }, 'rpc');
    requestLogger(root, 'r-10').warn('http');
    root.info('plain');
    const lines = out.lines();
    expect(lines[0]).toMatchObject({ conn_id: 'c-1', msg: 'subscribed', level: 'debug' });
    expect(lines[0]).not.toHaveProperty('req_id');
    expect(lines[1]).toMatchObject({ conn_id: 'c-1', req_id: 'r-9', method: 'push' });
    expect(lines[2]).toMatchObject({ req_id: 'r-10' });
    expect(lines[2]).not.toHaveProperty('conn_id');
    expect(lines[3]).not.toHaveProperty('conn_id');
    expect(lines[3]).not.toHaveProperty('req_id');
  });

  it('credentials never reach a log line, at the top level or one level down', () => {
    const out = capture();
    const logger = createLogger({ logLevel: 'info' }, { destination: out });
    logger.info(
      {
        authorization: 'Bearer abc',
        token: 't',
        headers: { authorization: 'Bearer x', 'x-ucan': 'u' },
        ok: 1,
      },
      'req',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      authorization: '[redacted]',
      token: '[redacted]',
      headers: { authorization: '[redacted]', 'x-ucan': '[redacted]' },
      ok: 1,
    });
    expect(JSON.stringify(line)).not.toContain('Bearer');
  });

  it('two loggers are independent (no global instance)', () => {
    const a = capture();
    const b = capture();
    createLogger({ logLevel: 'info' }, { destination: a }).info('to a');
    createLogger({ logLevel: 'error' }, { destination: b }).info('not to b');
    expect(a.lines()).toHaveLength(1);
    expect(b.lines()).toHaveLength(0);
  });

  it('defaults to stdout when no destination is given', () => {
    const logger = createLogger({ logLevel: 'silent' });
    expect(logger.level).toBe('silent');
    logger.info('nothing written');
  });
});
