import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRYPOINT = join(REPO, 'docker/entrypoint.sh');

/**
 * A `node` that only records how it was called: role, its PID, its parent's PID, its arguments. The
 * migrate role exits with STUB_MIGRATE_EXIT when set. Comparing PIDs with the `sh` we spawned tells an
 * exec (same PID) from a child process (parent = the shell).
 */
const NODE_STUB = `#!/bin/sh
script="$1"
shift
case "$script" in
  /app/apps/migrate/dist/main.js) role=migrate ;;
  /app/apps/server/dist/main.js) role=server ;;
  /app/apps/federation-keygen/dist/main.js) role=keygen ;;
  *) role="unexpected:$script" ;;
esac
echo "$role $$ $PPID $*" >> "$STUB_LOG"
if [ "$role" = migrate ] && [ -n "\${STUB_MIGRATE_EXIT:-}" ]; then exit "$STUB_MIGRATE_EXIT"; fi
exit 0
`;

/** Any other command passed to the container. */
const TOOL_STUB = `#!/bin/sh
echo "tool $$ $PPID $*" >> "$STUB_LOG"
`;

interface Call {
  role: string;
  pid: number;
  ppid: number;
  args: string;
}

interface Run {
  code: number | null;
  pid: number;
  stderr: string;
  calls: Call[];
}

let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'less-sync-entrypoint-'));
  await writeFile(join(dir, 'node'), NODE_STUB);
  await writeFile(join(dir, 'tool'), TOOL_STUB);
  await chmod(join(dir, 'node'), 0o755);
  await chmod(join(dir, 'tool'), 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the entrypoint with `sh` (dash, as in the Debian image), the stubs first on PATH, and the default /app. */
async function runEntrypoint(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const log = join(dir, `calls-${++runs}.log`);
  await writeFile(log, '');
  const child = spawn('sh', [ENTRYPOINT, ...args], {
    env: { PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, STUB_LOG: log, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  });
  const calls = (await readFile(log, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [role = '', pid = '', ppid = '', ...rest] = line.split(' ');
      return { role, pid: Number(pid), ppid: Number(ppid), args: rest.join(' ') };
    });
  return { code, pid: child.pid as number, stderr, calls };
}

describe('BOOT-06 docker/entrypoint.sh', () => {
  it('BOOT-06 runs migrate up in a child process, then execs the server (same PID as the shell)', async () => {
    const run = await runEntrypoint([]);
    expect(run.code).toBe(0);
    expect(run.calls.map((c) => c.role)).toEqual(['migrate', 'server']);
    const [migrate, server] = run.calls as [Call, Call];
    expect(migrate.args).toBe('up');
    expect(migrate.pid).not.toBe(run.pid);
    expect(migrate.ppid).toBe(run.pid);
    expect(server.pid).toBe(run.pid);
    expect(server.args).toBe('');
    expect(run.stderr).toBe('');
  });

  it('BOOT-06 "server" as the command is the default start', async () => {
    const run = await runEntrypoint(['server']);
    expect(run.code).toBe(0);
    expect(run.calls.map((c) => c.role)).toEqual(['migrate', 'server']);
    expect(run.calls[1]?.pid).toBe(run.pid);
  });

  it('BOOT-06 a failing migrate aborts with its exit code and the server never starts', async () => {
    const run = await runEntrypoint([], { STUB_MIGRATE_EXIT: '3' });
    expect(run.code).toBe(3);
    expect(run.calls.map((c) => c.role)).toEqual(['migrate']);
    expect(run.stderr).toContain('migrate up failed (exit code 3); not starting the server');
  });

  it('BOOT-06 R25 B2 FEDERATION_DOMAIN never runs the keygen: migrate, then the server, nothing else', async () => {
    const run = await runEntrypoint([], { FEDERATION_DOMAIN: 'sync.example.com' });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.calls.map((c) => c.role)).toEqual(['migrate', 'server']);
    expect(run.calls[1]?.pid).toBe(run.pid);
  });

  it('FED-KEY-04 B2 "federation-keygen --domain x" runs the key tool with those arguments (exec), no migrate, no server', async () => {
    const run = await runEntrypoint(['federation-keygen', '--domain', 'sync.example.com', '--promote']);
    expect(run.code).toBe(0);
    expect(run.calls).toEqual([
      { role: 'keygen', pid: run.pid, ppid: expect.any(Number), args: '--domain sync.example.com --promote' },
    ]);
  });

  it('BOOT-06 an empty FEDERATION_DOMAIN is the same as unset (no message)', async () => {
    const run = await runEntrypoint([], { FEDERATION_DOMAIN: '' });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.calls.map((c) => c.role)).toEqual(['migrate', 'server']);
  });

  it('BOOT-06 "migrate status" runs the migrate CLI with those arguments (exec) and no server', async () => {
    const run = await runEntrypoint(['migrate', 'status', '--dir', '/x y']);
    expect(run.code).toBe(0);
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]).toMatchObject({ role: 'migrate', pid: run.pid, args: 'status --dir /x y' });
  });

  it('BOOT-06 the migrate command passes its exit code through', async () => {
    const run = await runEntrypoint(['migrate', 'down'], { STUB_MIGRATE_EXIT: '1' });
    expect(run.code).toBe(1);
    expect(run.calls.map((c) => `${c.role} ${c.args}`)).toEqual(['migrate down']);
  });

  it('BOOT-06 --help, --version and `server --help` go to the server (exec), with no migration', async () => {
    for (const args of [['--help'], ['--version'], ['server', '--help']]) {
      const run = await runEntrypoint(args);
      expect(run.code).toBe(0);
      expect(run.calls).toHaveLength(1);
      expect(run.calls[0]).toMatchObject({ role: 'server', pid: run.pid, args: args.at(-1) });
    }
  });

  it('BOOT-06 "federation-keygen --help" runs the keygen CLI with those arguments (exec), no migration', async () => {
    const run = await runEntrypoint(['federation-keygen', '--help']);
    expect(run.code).toBe(0);
    expect(run.calls).toEqual([expect.objectContaining({ role: 'keygen', pid: run.pid, args: '--help' })]);
  });

  it('BOOT-06 any other command is exec-ed as is, without migrating', async () => {
    const run = await runEntrypoint(['tool', 'a', 'b c']);
    expect(run.code).toBe(0);
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]).toMatchObject({ role: 'tool', pid: run.pid, args: 'a b c' });
  });

  it('BOOT-06 LESS_SYNC_NODE and LESS_SYNC_APP_DIR override the node binary and the app directory', async () => {
    const run = await runEntrypoint([], {
      LESS_SYNC_NODE: join(dir, 'tool'),
      LESS_SYNC_APP_DIR: '/elsewhere',
    });
    expect(run.code).toBe(0);
    expect(run.calls.map((c) => `${c.role} ${c.args}`)).toEqual([
      'tool /elsewhere/apps/migrate/dist/main.js up',
      'tool /elsewhere/apps/server/dist/main.js',
    ]);
  });
});

describe('BOOT-06 Dockerfile and .dockerignore', () => {
  let dockerfile: string;
  let runtime: string;
  let entrypoint: string;

  beforeAll(async () => {
    dockerfile = await readFile(join(REPO, 'Dockerfile'), 'utf8');
    entrypoint = await readFile(ENTRYPOINT, 'utf8');
    const stages = dockerfile.split(/^FROM /m);
    runtime = stages.at(-1) ?? '';
  });

  it('BOOT-06 the final stage is the Node 22 LTS runtime running as 65532 with the data dir, port and HEALTHCHECK', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["\/app\/docker\/healthcheck\.sh"\]$/m);
    expect(runtime).toMatch(/^COPY --chmod=0755 docker\/healthcheck\.sh \/app\/docker\/healthcheck\.sh$/m);
    expect(runtime).toMatch(/^\$\{NODE_IMAGE\} AS runtime$/m);
    expect(runtime).toMatch(/--gid 65532 nonroot/);
    expect(runtime).toMatch(/--uid 65532 /);
    expect(runtime).toMatch(/^USER 65532:65532$/m);
    expect(runtime).toMatch(/^EXPOSE 5379$/m);
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).toMatch(/LISTEN_ADDR=0\.0\.0\.0:5379/);
    expect(runtime).toMatch(/LESS_SYNC_DATA_DIR=\/var\/lib\/less-sync\b/);
    expect(runtime).toMatch(/^VOLUME \/var\/lib\/less-sync$/m);
    expect(runtime).toMatch(/chown 65532:65532 \/app \/var\/lib\/less-sync /);
    expect(runtime).toMatch(/ca-certificates wget/);
    // Everything that needs root happens before USER, and nothing switches back.
    const lines = runtime.split('\n');
    const user = lines.findIndex((l) => l.startsWith('USER '));
    expect(lines.findLastIndex((l) => l.startsWith('RUN '))).toBeLessThan(user);
    expect(lines.filter((l) => l.startsWith('USER '))).toHaveLength(1);
  });

  it('BOOT-06 the entrypoint is installed where ENTRYPOINT points and matches the /app layout', () => {
    expect(runtime).toMatch(/^COPY --chmod=0755 docker\/entrypoint\.sh \/app\/docker\/entrypoint\.sh$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/app\/docker\/entrypoint\.sh"\]$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app \/app$/m);
    // The runtime tree keeps the workspace layout, so storage finds ../../migrations as in the repository.
    expect(dockerfile).toMatch(/cp -R migrations \/app\/migrations/);
    expect(dockerfile).toMatch(/pnpm install --offline --frozen-lockfile --prod/);
    expect(dockerfile).toMatch(/test -f apps\/server\/dist\/main\.js/);
    expect(dockerfile).toMatch(/test -f apps\/migrate\/dist\/main\.js/);
    expect(dockerfile).toMatch(/test -f apps\/federation-keygen\/dist\/main\.js/);
    expect(entrypoint.startsWith('#!/bin/sh\n')).toBe(true);
    expect(entrypoint).toMatch(/^set -eu$/m);
  });

  it('BOOT-06 .dockerignore keeps build output, dependencies, data and git out of the context', async () => {
    const entries = (await readFile(join(REPO, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const entry of ['**/node_modules', '**/dist', '**/coverage', '**/.turbo', 'data', '.git']) {
      expect(entries).toContain(entry);
    }
  });
});

describe('BOOT-06 docker/healthcheck.sh', () => {
  const HEALTHCHECK = join(REPO, 'docker/healthcheck.sh');

  /** Runs the healthcheck with a `wget` stub that records its arguments and exits with WGET_EXIT. */
  async function runHealthcheck(env: Record<string, string>): Promise<{ code: number | null; args: string }> {
    const bin = await mkdtemp(join(tmpdir(), 'less-sync-health-'));
    try {
      const log = join(bin, 'wget.log');
      await writeFile(join(bin, 'wget'), `#!/bin/sh\necho "$*" > "${log}"\nexit "\${WGET_EXIT:-0}"\n`);
      await chmod(join(bin, 'wget'), 0o755);
      const child = spawn('sh', [HEALTHCHECK], {
        env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...env },
        stdio: 'ignore',
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, args: (await readFile(log, 'utf8').catch(() => '')).trim() };
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  }

  it('BOOT-06 probes /livez on loopback for a wildcard LISTEN_ADDR, on the bound host otherwise', async () => {
    expect(await runHealthcheck({ LISTEN_ADDR: '0.0.0.0:6000' })).toEqual({
      code: 0,
      args: '-q -T 4 -O /dev/null http://127.0.0.1:6000/livez',
    });
    expect((await runHealthcheck({ LISTEN_ADDR: '[::]:7000' })).args).toContain('http://[::1]:7000/livez');
    expect((await runHealthcheck({ LISTEN_ADDR: '10.1.2.3:5379' })).args).toContain(
      'http://10.1.2.3:5379/livez',
    );
    expect((await runHealthcheck({})).args).toContain('http://127.0.0.1:5379/livez');
  });

  it('BOOT-06 a failing probe makes the healthcheck fail', async () => {
    expect((await runHealthcheck({ WGET_EXIT: '4' })).code).toBe(4);
  });
});
