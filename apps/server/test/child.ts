import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when `pattern` appears on stdout (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Runs the built server with exactly `env` (plus PATH), as `pnpm start` would. */
export function startChild(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    process: proc,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; stderr: ${child.stderr}`)),
          timeoutMs,
        );
        const check = () => {
          if (pattern.test(child.stdout)) {
            clearTimeout(timer);
            proc.stdout?.off('data', check);
            resolve();
          }
        };
        proc.stdout?.on('data', check);
        void child.exited.then(({ code }) => {
          clearTimeout(timer);
          reject(new Error(`server exited (${code}) before ${pattern}; stderr: ${child.stderr}`));
        });
        check();
      });
    },
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    child.stdout += chunk.toString();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    child.stderr += chunk.toString();
  });
  return child;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
