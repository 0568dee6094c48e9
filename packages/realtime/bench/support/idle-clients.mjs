// Child process for bench/idle-memory.bench.ts: opens N authenticated, idle WebSocket clients and keeps
// them open until killed, so the server process's heap holds only server-side connection state.
import { WebSocket } from 'ws';

const url = process.env.URL;
const total = Number(process.env.CONNECTIONS);
const auth = Buffer.from(process.env.AUTH_FRAME_HEX, 'hex');
const BATCH = 250;

const sockets = [];
function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'less-rpc-v1', { perMessageDeflate: false });
    ws.once('open', () => {
      ws.send(auth);
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

for (let i = 0; i < total; i += BATCH) {
  const batch = await Promise.all(Array.from({ length: Math.min(BATCH, total - i) }, open));
  sockets.push(...batch);
}
process.send?.({ ready: sockets.length });
process.on('disconnect', () => process.exit(0));
