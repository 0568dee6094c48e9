// Child process for bench/connection-scale.bench.ts: opens one authenticated, idle WebSocket per token
// in TOKENS_FILE (one token a line) and keeps them open until the parent disconnects, so the server's
// process holds only server-side connection state. SOURCE_ADDRESSES (comma-separated loopback addresses,
// e.g. 127.0.0.2,127.0.0.3) spreads the clients over several source addresses: one address has only
// the ephemeral port range (about 28,000 ports by default) to connect from.
import { readFileSync } from 'node:fs';
import { encode } from 'cborg';
import { WebSocket } from 'ws';

const url = process.env.URL;
const tokens = readFileSync(process.env.TOKENS_FILE, 'utf8').split('\n').filter(Boolean);
const sources = (process.env.SOURCE_ADDRESSES ?? '').split(',').filter(Boolean);
const BATCH = 250;

const sockets = [];
function open(i) {
  return new Promise((resolve, reject) => {
    const options = { perMessageDeflate: false };
    if (sources.length > 0) options.localAddress = sources[i % sources.length];
    const ws = new WebSocket(url, 'less-rpc-v1', options);
    ws.once('open', () => {
      ws.send(encode({ type: 2, method: 'auth', params: { token: tokens[i] } }));
      resolve(ws);
    });
    ws.once('error', reject);
    ws.on('message', () => {});
  });
}

for (let i = 0; i < tokens.length; i += BATCH) {
  const n = Math.min(BATCH, tokens.length - i);
  sockets.push(...(await Promise.all(Array.from({ length: n }, (_, k) => open(i + k)))));
}
process.send?.({ ready: sockets.length });
process.on('disconnect', () => process.exit(0));
