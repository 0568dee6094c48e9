#!/usr/bin/env node
/**
 * Serves the browser example (and cborg, the page's one dependency) on its own origin:
 *
 *   node serve.mjs [--port 8080] [--server http://127.0.0.1:5379]
 *
 * then open the printed URL. The page talks to the less-sync server cross-origin.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const port = Number(option('port', '8080'));
const lessSync = option('server', 'http://127.0.0.1:5379');

const here = dirname(fileURLToPath(import.meta.url));
// cborg's entry point sits at the package root, next to its lib/ modules.
const cborgDir = dirname(fileURLToPath(import.meta.resolve('cborg')));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** Only the page, its script and cborg's own modules; nothing else on disk is reachable. */
function resolvePath(pathname) {
  if (pathname === '/') return join(here, 'index.html');
  if (pathname === '/app.js') return join(here, 'app.js');
  if (pathname.startsWith('/vendor/cborg/')) {
    const inside = normalize(pathname.slice('/vendor/cborg/'.length));
    if (!inside.startsWith('..') && extname(inside) === '.js') return join(cborgDir, inside);
  }
  return undefined;
}

const server = createServer(async (req, res) => {
  const path = resolvePath(new URL(req.url ?? '/', 'http://x').pathname);
  try {
    if (path === undefined) throw new Error('not found');
    const body = await readFile(path);
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const url = `http://127.0.0.1:${address.port}/?server=${encodeURIComponent(lessSync)}`;
  console.log(`browser example at ${url}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
