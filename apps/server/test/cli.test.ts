import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN } from './child.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(REPO, 'scripts/run-built.mjs');

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/** Runs a command to its end (bounded), collecting its output. */
function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'less-sync-cli-'));
});
afterAll(async () => {
  for (const proc of running) {
    if (proc.pid !== undefined) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('CLI-SERVER less-sync command line', () => {
  it('CLI-SERVER-01 --help prints usage with the variables and exits 0; --version prints the version', async () => {
    const help = await run(process.execPath, [MAIN, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: less-sync /);
    expect(help.stdout).toContain('TRUSTED_ISSUERS');
    expect(help.stdout).toContain('/readyz');
    const version = await run(process.execPath, [MAIN, '--version']);
    expect([version.code, version.stdout]).toEqual([0, 'less-sync 0.1.0\n']);
  });

  it('CLI-SERVER-01 an unknown argument is a usage error (exit 2), nothing started', async () => {
    const bad = await run(process.execPath, [MAIN, '--port=1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Error: unexpected argument "--port=1"/);
    expect(bad.stdout).toBe('');
  });
});

describe('CLI-SERVER launcher (pnpm start / pnpm migrate)', () => {
  it('CLI-SERVER-02 the launcher prints only the program output on stdout (build output, if any, on stderr)', async () => {
    const help = await run(process.execPath, [LAUNCHER, 'migrate', 'help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: less-sync-migrate/);
    expect(help.stdout).not.toMatch(/turbo|Tasks:/);
  });

  it('BOOT-06 federation-keygen --help answers with exit 0 (the container passes it through)', async () => {
    const help = await run(process.execPath, [LAUNCHER, 'federation-keygen', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: less-sync-federation-keygen/);
    // Without arguments it is a usage error, not a silent success.
    const other = await run(process.execPath, [LAUNCHER, 'federation-keygen']);
    expect(other.code).not.toBe(0);
  });

  it('CLI-MIGRATE-07 migrate create refuses a duplicate name, as a real process', async () => {
    const dir = join(dataDir, 'migrations');
    await rm(dir, { recursive: true, force: true });
    await mkdirP(dir);
    await writeFile(join(dir, '001_add_things.up.sql'), 'SELECT 1;\n');
    const dup = await run(process.execPath, [LAUNCHER, 'migrate', 'create', 'add things', '--dir', dir]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('a migration named "add_things" already exists');
    expect(await readdir(dir)).toEqual(['001_add_things.up.sql']);
  });

  it('CLI-SERVER-03 Ctrl-C on `pnpm start` shuts the server down cleanly: exit 0, no ELIFECYCLE', async () => {
    const proc = spawn('pnpm', ['start'], {
      cwd: REPO,
      // Its own process group, so the test can send SIGINT to the whole group as a terminal does.
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LISTEN_ADDR: '127.0.0.1:0',
        LESS_SYNC_DATA_DIR: join(dataDir, 'start'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(proc);
    let output = '';
    proc.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<{ code: number | null }>((resolve) =>
      proc.on('exit', (code) => resolve({ code })),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "server listening" in time: ${output}`)), 150_000);
      const check = () => {
        if (output.includes('"msg":"server listening"')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout.on('data', check);
      void exited.then(() => reject(new Error(`pnpm start exited early: ${output}`)));
    });
    process.kill(-(proc.pid as number), 'SIGINT');
    const { code } = await exited;
    running.delete(proc);
    expect(code).toBe(0);
    expect(output).toContain('"msg":"shutdown complete"');
    expect(output).not.toContain('ELIFECYCLE');
  });
});

async function mkdirP(dir: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
}
