import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { encodeNotification, encodeRequest } from '@less-sync/core';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../child.js';
import { devToken, Session, useFaultRig } from './support.js';

/** A small deterministic PRNG, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rig = useFaultRig();
let base = '';
let wsUrl = '';

beforeAll(async () => {
  ({ base, wsUrl } = await rig.start(await freePort()));
}, 300_000);

const METHODS = [
  'subscribe',
  'push',
  'pull',
  'membership.revoke',
  'invitation.create',
  'space.create',
  'deks.get',
];

/** A valid frame with some bytes flipped, cut or extended. */
function mutate(rand: () => number, frame: Uint8Array): Uint8Array {
  const out = Uint8Array.from(frame);
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips; i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
  const r = rand();
  if (r < 0.2) return out.subarray(0, Math.floor(rand() * out.length));
  if (r < 0.3) return Uint8Array.from([...out, ...Array.from({ length: 8 }, () => Math.floor(rand() * 256))]);
  return out;
}

describe('fault: fuzzed decoders against a live server', () => {
  it('FAULT-5 2,000 mutated RPC frames: every one is answered or closes the socket with a protocol code; the server stays healthy', async () => {
    const rand = prng(0x5eed);
    const { token, space } = await devToken(base, 'fuzzer');
    const allowed = new Set([1000, 1005, 1006, 1009, 4000, 4005]);
    let sent = 0;
    while (sent < 2_000) {
      const session = await Session.open(wsUrl, token);
      // A few frames per connection: a protocol close ends the batch.
      for (let i = 0; i < 50 && sent < 2_000 && session.ws.readyState === WebSocket.OPEN; i++, sent++) {
        const method = METHODS[Math.floor(rand() * METHODS.length)] as string;
        const frame = encodeRequest(`f${sent}`, method, {
          space,
          id: randomUUID(),
          spaces: [{ id: space, since: 0 }],
          changes: [{ id: randomUUID(), blob: new Uint8Array([1]), expected_cursor: 0 }],
          ucan_cid: 'a'.repeat(64),
          mailbox_id: 'b'.repeat(64),
          payload: 'x',
          root_public_key: new Uint8Array(33).fill(2),
        });
        session.ws.send(mutate(rand, frame));
      }
      // A well-formed request after the batch: answered unless the socket was closed by a bad frame.
      const probe = await session.request('invitation.list', {}, 30_000);
      if (probe.error?.code === 'closed') expect(allowed).toContain(await session.closed);
      else expect(probe.error?.code === 'internal').toBe(false);
      session.close();
    }
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(rig.child?.process.exitCode).toBeNull();
    // Random bytes as the auth frame: closed with a 4000-series or 1009, never a crash.
    for (let i = 0; i < 100; i++) {
      const ws = new WebSocket(wsUrl, 'less-rpc-v1');
      ws.on('error', () => {});
      await new Promise<void>((resolve) => ws.once('open', () => resolve()));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      const junk = i % 2 === 0 ? encodeNotification('auth', { token: `x${i}` }) : new Uint8Array(64);
      ws.send(mutate(rand, junk));
      expect([4000, 4005, 1009, 1006]).toContain(await closed);
    }
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('FAULT-5 fuzzed HTTP headers never produce a 5xx and never take the server down', async () => {
    const rand = prng(0xbeef);
    const { token, space } = await devToken(base, 'header-fuzzer');
    const { hostname, port } = new URL(base);
    const names = ['Authorization', 'X-UCAN', 'X-Record-ID', 'X-Wrapped-DEK', 'Content-Length', 'Origin'];
    const statuses = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const name = names[Math.floor(rand() * names.length)] as string;
      const len = Math.floor(rand() * 200);
      // Printable and high latin1 bytes (what a careless client or attacker sends); no CR/LF.
      const value = Array.from({ length: len }, () => {
        const c = 0x20 + Math.floor(rand() * 0xdf);
        return String.fromCharCode(c === 0x7f ? 0x41 : c);
      }).join('');
      const path =
        rand() < 0.5 ? `/api/v1/spaces/${space}/files/${randomUUID()}` : `/api/v1/spaces/${space}%00/files/x`;
      const method = rand() < 0.5 ? 'GET' : 'PUT';
      const auth = name === 'Authorization' ? '' : `Authorization: Bearer ${token}\r\n`;
      const request =
        `${method} ${path} HTTP/1.1\r\nHost: x\r\n${auth}${name}: ${value}\r\n` +
        `${method === 'PUT' && name !== 'Content-Length' ? 'Content-Length: 1\r\n' : ''}Connection: close\r\n\r\n` +
        (method === 'PUT' ? 'x' : '');
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(request, 'latin1')));
        let data = '';
        socket.on('data', (chunk) => {
          data += chunk.toString('latin1');
        });
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
        socket.setTimeout(30_000, () => socket.destroy());
      });
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
      statuses.set(`${name}:${status}`, (statuses.get(`${name}:${status}`) ?? 0) + 1);
      expect({ name, value, status: status >= 500 ? status : 'ok' }).toEqual({ name, value, status: 'ok' });
    }
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(rig.child?.process.exitCode).toBeNull();
  });
});
