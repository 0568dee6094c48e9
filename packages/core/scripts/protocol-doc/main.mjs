#!/usr/bin/env node
/**
 * `pnpm docs:protocol`: refresh the generated blocks of docs/protocol.md from the built @less-sync/core.
 * `--check` writes nothing and exits 1 when the committed document is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderProtocolDoc } from './render.mjs';

const core = await import('../../dist/index.js');
const path = fileURLToPath(new URL('../../../../docs/protocol.md', import.meta.url));
const current = await readFile(path, 'utf8');
const next = renderProtocolDoc(core, current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    process.stderr.write('docs/protocol.md is out of date: run `pnpm docs:protocol`\n');
    process.exit(1);
  }
} else if (next !== current) {
  await writeFile(path, next);
  process.stdout.write('docs/protocol.md updated\n');
} else {
  process.stdout.write('docs/protocol.md is up to date\n');
}
