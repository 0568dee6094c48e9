#!/usr/bin/env node
/**
 * A minimal less-sync client with nothing but `ws` and `cborg`: it gets a development token, creates a
 * shared space with its own root key, subscribes from a second connection, pushes an encrypted record,
 * pulls it back, and uploads and downloads an encrypted file. See docs/protocol.md for the protocol.
 *
 *   node client.mjs [http://127.0.0.1:5379]
 *
 * The server must run with the development issuer (no TRUSTED_ISSUERS), as `pnpm start` does.
 */
import { randomUUID, webcrypto } from 'node:crypto';
import { decode, encode } from 'cborg';
import WebSocket from 'ws';

const { subtle } = webcrypto;
const server = new URL(process.argv[2] ?? 'http://127.0.0.1:5379');
const wsUrl = `${server.protocol === 'https:' ? 'wss' : 'ws'}://${server.host}/api/v1/ws`;
const log = (...args) => console.error('[client]', ...args);

// --- did:key and UCAN (ES256 JWS) ---------------------------------------------------------------

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes) {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** P-256 key pair, its 33-byte compressed public key and its did:key. */
async function newIdentity() {
  const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const raw = new Uint8Array(await subtle.exportKey('raw', keys.publicKey)); // 0x04 ‖ x ‖ y
  const compressed = new Uint8Array(33);
  compressed[0] = (raw[64] & 1) === 0 ? 0x02 : 0x03;
  compressed.set(raw.subarray(1, 33), 1);
  const did = `did:key:z${base58(Uint8Array.of(0x80, 0x24, ...compressed))}`;
  return { privateKey: keys.privateKey, compressed, did };
}

const b64url = (data) => Buffer.from(data).toString('base64url');

/** A self-issued UCAN: the space root grants itself `cmd` on the space. */
async function selfIssuedUcan(identity, spaceId, cmd) {
  const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      iss: identity.did,
      aud: identity.did,
      exp: Math.floor(Date.now() / 1000) + 3600,
      cmd,
      with: `space:${spaceId}`,
      nonce: randomUUID(),
      prf: [],
    }),
  );
  const signature = await subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    identity.privateKey,
    new TextEncoder().encode(`${header}.${payload}`),
  );
  return `${header}.${payload}.${b64url(new Uint8Array(signature))}`;
}

// --- encryption: AES-GCM content, AES-KW wrapped data keys ----------------------------------------

/** The wire form of a wrapped DEK: 4-byte big-endian key generation ‖ AES-KW(kek, dek) = 44 bytes. */
async function newWrappedDek(kek, generation) {
  const dek = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const wrapped = new Uint8Array(await subtle.wrapKey('raw', dek, kek, 'AES-KW'));
  const out = new Uint8Array(4 + wrapped.length);
  new DataView(out.buffer).setUint32(0, generation);
  out.set(wrapped, 4);
  return { dek, wrappedDek: out };
}

async function unwrapDek(kek, wrappedDek) {
  return subtle.unwrapKey('raw', wrappedDek.subarray(4), kek, 'AES-KW', 'AES-GCM', false, ['decrypt']);
}

async function seal(dek, plaintext) {
  const iv = webcrypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv }, dek, plaintext));
  return Uint8Array.of(...iv, ...sealed);
}

async function open(dek, box) {
  return new Uint8Array(
    await subtle.decrypt({ name: 'AES-GCM', iv: box.subarray(0, 12) }, dek, box.subarray(12)),
  );
}

// --- the RPC connection -----------------------------------------------------------------------------

/** Opens a socket, authenticates, and returns `call(method, params)` plus the notifications seen. */
async function connect(token) {
  const ws = new WebSocket(wsUrl, 'less-rpc-v1');
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const pending = new Map();
  const notifications = [];
  const waiters = [];
  ws.on('message', (data) => {
    const frame = decode(new Uint8Array(data));
    if (frame === null) return; // keepalive
    if (frame.type === 2) {
      notifications.push(frame);
      for (const waiter of waiters.splice(0)) waiter();
    } else if (frame.type === 3) {
      pending.get(frame.id)?.chunks.push(frame);
    } else if (frame.type === 1) {
      const call = pending.get(frame.id);
      pending.delete(frame.id);
      if (frame.error) call?.reject(new Error(`${frame.error.code}: ${frame.error.message}`));
      else call?.resolve({ result: frame.result, chunks: call.chunks });
    }
  });
  ws.on('close', (code, reason) => {
    for (const call of pending.values()) call.reject(new Error(`closed ${code} ${reason}`));
  });
  // The first frame must be the auth notification; requests may follow at once.
  ws.send(encode({ type: 2, method: 'auth', params: { token } }));
  let seq = 0;
  return {
    notifications,
    call(method, params) {
      const id = String(++seq);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${method}: no answer`)), 15_000);
        const done = (fn) => (value) => {
          clearTimeout(timer);
          fn(value);
        };
        pending.set(id, { resolve: done(resolve), reject: done(reject), chunks: [] });
        ws.send(encode({ type: 0, id, method, params }));
      });
    },
    /** Resolves with the first notification `method` (bounded by a timeout). */
    async next(method, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = notifications.find((n) => n.method === method);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${method} notification`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => ws.close(1000),
  };
}

// --- the walkthrough ------------------------------------------------------------------------------

async function main() {
  const root = await newIdentity();
  const tokenUrl = new URL('/dev/token', server);
  tokenUrl.search = new URLSearchParams({ user: 'node-example', did: root.did }).toString();
  const tokenResponse = await fetch(tokenUrl);
  if (!tokenResponse.ok) throw new Error(`dev token: HTTP ${tokenResponse.status}`);
  const { token } = await tokenResponse.json();
  log('got a development token');

  const alice = await connect(token);
  const spaceId = randomUUID();
  const created = await alice.call('space.create', { id: spaceId, root_public_key: root.compressed });
  log('created shared space', created.result);
  const ucan = await selfIssuedUcan(root, spaceId, '/space/admin');

  // A second connection of the same user (another device) subscribes and hears the push.
  const device = await connect(token);
  const subscribed = await device.call('subscribe', { spaces: [{ id: spaceId, since: 0, ucan }] });
  const generation = subscribed.result.spaces[0].key_generation;
  log('subscribed', subscribed.result);

  const kek = await subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
  const recordId = randomUUID();
  const { dek, wrappedDek } = await newWrappedDek(kek, generation);
  const blob = await seal(dek, new TextEncoder().encode(JSON.stringify({ title: 'hello from node' })));
  const pushed = await alice.call('push', {
    space: spaceId,
    ucan,
    changes: [{ id: recordId, blob, expected_cursor: 0, dek: wrappedDek }],
  });
  if (!pushed.result.ok) throw new Error(`push failed: ${pushed.result.error}`);
  log('pushed, cursor', pushed.result.cursor);

  const sync = await device.next('sync');
  const synced = sync.params.records[0];
  const syncedText = new TextDecoder().decode(await open(await unwrapDek(kek, synced.dek), synced.blob));
  log('the other device got', syncedText);

  const pulled = await alice.call('pull', { spaces: [{ id: spaceId, since: 0, ucan }] });
  const records = pulled.chunks.filter((c) => c.name === 'pull.record').map((c) => c.data);
  log('pulled', pulled.chunks.map((c) => c.name).join(', '), pulled.result);

  // Files: encrypted bytes over HTTP, the wrapped key in a header.
  const fileId = randomUUID();
  const file = await newWrappedDek(kek, generation);
  const fileBytes = await seal(file.dek, new TextEncoder().encode('file contents from node'));
  const fileUrl = new URL(`/api/v1/spaces/${spaceId}/files/${fileId}`, server);
  const headers = { Authorization: `Bearer ${token}`, 'X-UCAN': ucan };
  const put = await fetch(fileUrl, {
    method: 'PUT',
    headers: {
      ...headers,
      'X-Record-ID': recordId,
      'X-Wrapped-DEK': Buffer.from(file.wrappedDek).toString('base64'),
      'Content-Type': 'application/octet-stream',
    },
    body: fileBytes,
  });
  if (put.status !== 201) throw new Error(`upload: HTTP ${put.status} ${await put.text()}`);
  const got = await fetch(fileUrl, { headers });
  const header = got.headers.get('X-Wrapped-DEK') ?? '';
  const downloaded = new Uint8Array(await got.arrayBuffer());
  const fileText = new TextDecoder().decode(
    await open(await unwrapDek(kek, Buffer.from(header, 'base64')), downloaded),
  );
  const fileNotice = await device.next('file');
  log('file round trip:', fileText);

  alice.close();
  device.close();
  // One machine-readable summary line on stdout.
  console.log(
    JSON.stringify({
      space: created.result.id,
      pushedCursor: pushed.result.cursor,
      syncedText,
      pulledRecords: records.length,
      pullChunks: pulled.result._chunks,
      fileStatus: put.status,
      fileText,
      fileNotified: fileNotice.params.files[0].id === fileId,
    }),
  );
}

main().catch((err) => {
  console.error('[client] failed:', err);
  process.exit(1);
});
