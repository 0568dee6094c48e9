#!/usr/bin/env node
/**
 * `pnpm start` / `pnpm migrate`: bring apps/<name> up to date with `tsc -b` (about a second when nothing
 * changed; its output goes to stderr, so stdout carries only the program's own output), then run it with
 * the given arguments. Signals are passed on and the program's exit code is ours, so Ctrl-C on a server
 * that shut down cleanly exits 0 and pnpm reports no failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const project = join(root, 'apps', name ?? '', 'tsconfig.json');
if (name === undefined || !existsSync(project)) {
  process.stderr.write(`usage: node scripts/run-built.mjs <app under apps/> [args...]\n`);
  process.exit(2);
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const build = spawnSync(process.execPath, [tsc, '-b', project], { stdio: ['ignore', 2, 2] });
if (build.status !== 0) {
  process.stderr.write(`build of apps/${name} failed (tsc -b exit ${build.status ?? build.signal})\n`);
  process.exit(1);
}

const child = spawn(process.execPath, [join(root, 'apps', name, 'dist', 'main.js'), ...args], {
  stdio: 'inherit',
});
// A terminal's Ctrl-C reaches the whole process group, the program included; a signal sent to this
// process alone is passed on. The server treats a repeat within a second as the same request.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  if (code !== null) process.exit(code);
  process.exit(signal === 'SIGINT' ? 130 : 1);
});
