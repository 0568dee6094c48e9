import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type ProcessLike, runServer } from '../../src/index.js';
import { serverEnv } from './helpers.js';

class FakeProcess implements ProcessLike {
  readonly handlers = new Map<string, () => void>();
  stderr = '';
  readonly exits: number[] = [];
  private exited: (() => void) | undefined;
  readonly exitedOnce = new Promise<void>((resolve) => {
    this.exited = resolve;
  });
  clock = 0;
  constructor(readonly env: Record<string, string | undefined>) {}
  now(): number {
    return this.clock;
  }
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): void {
    this.handlers.set(signal, listener);
  }
  writeStderr(text: string): void {
    this.stderr += text;
  }
  exit(code: number): void {
    this.exits.push(code);
    this.exited?.();
  }
}

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('BOOT-01 the server process', () => {
  it('BOOT-01 CONFIG-01 a bad variable prints Error: <message> and exits 1 before any I/O', async () => {
    const proc = new FakeProcess({ LISTEN_ADDR: 'localhost:5379' });
    expect(await runServer(proc, { logger })).toBeUndefined();
    expect(proc.stderr).toMatch(/^Error: invalid LISTEN_ADDR "localhost:5379"/);
    expect(proc.exits).toEqual([1]);
  });

  it('BOOT-01 a startup failure (database unreachable) exits 1 with its message', async () => {
    const proc = new FakeProcess({
      LISTEN_ADDR: '127.0.0.1:0',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    await runServer(proc, { logger });
    expect(proc.stderr).toMatch(/^Error: database error: /);
    expect(proc.exits).toEqual([1]);
  });

  it('BOOT-01 a port already in use exits 1 after releasing the database', async () => {
    const first = await serverEnv();
    const proc1 = new FakeProcess(first.env);
    const server = await runServer(proc1, { logger, processMetrics: false });
    cleanups.push(async () => {
      await server?.close();
      await first.db?.drop();
    });
    const port = server?.address?.port;
    const second = await serverEnv({ LISTEN_ADDR: `127.0.0.1:${port}` });
    cleanups.push(async () => {
      await second.db?.drop();
    });
    const proc2 = new FakeProcess(second.env);
    expect(await runServer(proc2, { logger, processMetrics: false })).toBeUndefined();
    expect(proc2.stderr).toMatch(/^Error: .*EADDRINUSE/);
    expect(proc2.exits).toEqual([1]);
  });

  it('BOOT-08 a port in use is reported before the database is opened', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const { port } = blocker.address() as AddressInfo;
    // An unreachable database: had it been opened first, the error would be about the database.
    const proc = new FakeProcess({
      LISTEN_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      TRUSTED_ISSUERS: 'https://issuer.example',
    });
    expect(await runServer(proc, { logger })).toBeUndefined();
    expect(proc.stderr).toBe(`Error: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
    expect(proc.exits).toEqual([1]);
  });

  it('R24 SIGTERM shuts down gracefully and exits 0; a duplicate delivery is ignored, a later second signal exits at once with 1', async () => {
    const { env, db } = await serverEnv();
    cleanups.push(async () => {
      await db?.drop();
    });
    const proc = new FakeProcess(env);
    const server = await runServer(proc, { logger, processMetrics: false });
    expect(server?.address).toBeDefined();
    proc.handlers.get('SIGTERM')?.();
    // Ctrl-C under pnpm arrives twice within milliseconds: one shutdown, not an abort.
    proc.clock += 20;
    proc.handlers.get('SIGINT')?.();
    expect(proc.exits).toEqual([]);
    proc.clock += 2000;
    proc.handlers.get('SIGINT')?.();
    expect(proc.exits).toEqual([1]);
    await new Promise<void>((resolve) => {
      const check = () => (proc.exits.length === 2 ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(proc.exits).toEqual([1, 0]);
  });
});
