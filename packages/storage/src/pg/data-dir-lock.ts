import { createHash } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DatabaseConfigError } from './types.js';

/**
 * PGlite does not stop two processes from opening the same data directory, and two writers would
 * corrupt it. The lock is a listening local socket named after the directory: binding it is atomic, and
 * the kernel releases it the moment its process dies (kill -9 included), so a crashed server always
 * restarts and no recorded pid can be mistaken for a live owner. A second opener that finds the name
 * taken connects to it and learns the owner's pid for the error message.
 *
 * Linux uses an abstract socket (no file at all); Windows a named pipe; elsewhere a socket file in the
 * temp directory, taken over when nothing answers on it.
 */
export interface DataDirLock {
  /** Where the lock lives (an abstract socket name, a pipe, or a socket file). */
  readonly path: string;
  release(): Promise<void>;
}

/** How long a second opener waits for the owner to say who it is. */
const PROBE_TIMEOUT_MS = 2_000;

async function lockName(dataDir: string): Promise<{ address: string; label: string; file: boolean }> {
  const dir = resolve(dataDir.replace(/[/\\]+$/, ''));
  await mkdir(dirname(dir), { recursive: true });
  // The real path of the parent, so two spellings of one directory share one lock.
  const canonical = join(await realpath(dirname(dir)), basename(dir));
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 40);
  if (process.platform === 'linux') {
    return { address: `\0less-sync-datadir-${hash}`, label: `@less-sync-datadir-${hash}`, file: false };
  }
  if (process.platform === 'win32') {
    const pipe = `\\\\?\\pipe\\less-sync-datadir-${hash}`;
    return { address: pipe, label: pipe, file: false };
  }
  const file = join(tmpdir(), `less-sync-datadir-${hash}.sock`);
  return { address: file, label: file, file: true };
}

function listen(address: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    // Each visitor learns the owner's pid, then the connection ends.
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(`${process.pid}\n`);
    });
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      server.on('error', () => {});
      server.unref(); // holding the lock must not keep the process alive
      resolvePromise(server);
    });
  });
}

/** The owner's pid, undefined when nobody answers (a stale socket file), or 0 when it does not say. */
function probe(address: string): Promise<number | undefined> {
  return new Promise((resolvePromise) => {
    let data = '';
    const socket = createConnection(address);
    const done = (value: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(value);
    };
    // Connected (or stuck connecting) but silent: someone holds the name, so it is in use.
    const timer = setTimeout(() => done(0), PROBE_TIMEOUT_MS);
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
    });
    socket.on('end', () => done(Number.parseInt(data, 10) || 0));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? undefined : 0),
    );
  });
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const { address, label, file } = await lockName(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const server = await listen(address);
      let released = false;
      return {
        path: label,
        async release() {
          if (released) return;
          released = true;
          await new Promise<void>((done) => server.close(() => done()));
          if (file) await rm(address, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
    const owner = await probe(address);
    if (owner !== undefined) {
      const who = owner > 0 ? `process ${owner}` : 'another process';
      throw new DatabaseConfigError(
        'data_dir_locked',
        `embedded database ${dataDir} is in use by ${who} (lock ${label})`,
      );
    }
    // Only a socket file can outlive its process: nobody answers on it, so it is stale.
    if (file) await rm(address, { force: true });
  }
  throw new DatabaseConfigError('data_dir_locked', `could not lock embedded database ${dataDir} (${label})`);
}
