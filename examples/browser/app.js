/**
 * A less-sync client in a web page: one user's list, end-to-end encrypted with WebCrypto, kept in the
 * user's personal space and live across tabs. Served from another origin than the server, so it also
 * shows what browsers need: CORS, the WebSocket subprotocol, and the `X-Wrapped-DEK` header on files.
 *
 * Query parameters: `server` (default http://127.0.0.1:5379), `user`, `passphrase`.
 */
import { decode, encode } from 'cborg';

const params = new URLSearchParams(location.search);
const server = new URL(params.get('server') ?? 'http://127.0.0.1:5379');
const user = params.get('user') ?? 'browser-demo';
const passphrase = params.get('passphrase') ?? 'correct horse battery staple';
const { subtle } = crypto;
const $ = (id) => document.getElementById(id);

// --- keys: one KEK per user (from the passphrase), one AES-GCM DEK per record or file ---------------

async function deriveKek() {
  const material = await subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return subtle.deriveKey(
    {
      name: 'PBKDF2',
      hash: 'SHA-256',
      iterations: 100_000,
      salt: new TextEncoder().encode(`less-sync:${user}`),
    },
    material,
    { name: 'AES-KW', length: 256 },
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

/** 4-byte big-endian key generation ‖ AES-KW(kek, dek): the 44-byte wrapped DEK the server stores. */
async function newDek(kek, generation) {
  const dek = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const wrapped = new Uint8Array(await subtle.wrapKey('raw', dek, kek, 'AES-KW'));
  const wrappedDek = new Uint8Array(44);
  new DataView(wrappedDek.buffer).setUint32(0, generation);
  wrappedDek.set(wrapped, 4);
  return { dek, wrappedDek };
}

const unwrap = (kek, wrappedDek) =>
  subtle.unwrapKey('raw', wrappedDek.subarray(4), kek, 'AES-KW', 'AES-GCM', false, ['decrypt']);

async function seal(dek, bytes) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const box = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv }, dek, bytes));
  const out = new Uint8Array(12 + box.length);
  out.set(iv);
  out.set(box, 12);
  return out;
}

async function open(dek, box) {
  return new Uint8Array(
    await subtle.decrypt({ name: 'AES-GCM', iv: box.subarray(0, 12) }, dek, box.subarray(12)),
  );
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

// --- the connection ---------------------------------------------------------------------------------

function connect(token, onNotification) {
  const ws = new WebSocket(
    `${server.protocol === 'https:' ? 'wss' : 'ws'}://${server.host}/api/v1/ws`,
    'less-rpc-v1',
  );
  ws.binaryType = 'arraybuffer';
  const pending = new Map();
  let seq = 0;
  ws.onmessage = (event) => {
    const frame = decode(new Uint8Array(event.data));
    if (frame === null) return; // keepalive
    if (frame.type === 2) onNotification(frame);
    else if (frame.type === 3) pending.get(frame.id)?.chunks.push(frame);
    else if (frame.type === 1) {
      const call = pending.get(frame.id);
      pending.delete(frame.id);
      if (frame.error) call?.reject(new Error(`${frame.error.code}: ${frame.error.message}`));
      else call?.resolve({ result: frame.result, chunks: call.chunks });
    }
  };
  ws.onclose = (event) => {
    $('status').textContent = `disconnected (${event.code} ${event.reason})`;
    for (const call of pending.values()) call.reject(new Error(`closed ${event.code}`));
  };
  const opened = new Promise((resolve, reject) => {
    ws.onopen = () => {
      ws.send(encode({ type: 2, method: 'auth', params: { token } }));
      resolve();
    };
    ws.onerror = () => reject(new Error('WebSocket failed'));
  });
  const call = (method, callParams) =>
    new Promise((resolve, reject) => {
      const id = String(++seq);
      pending.set(id, { resolve, reject, chunks: [] });
      ws.send(encode({ type: 0, id, method, params: callParams }));
    });
  return { opened, call, protocol: () => ws.protocol };
}

// --- the list -----------------------------------------------------------------------------------------

const items = new Map(); // record id → text

function render() {
  const list = $('items');
  list.replaceChildren(
    ...[...items].map(([id, text]) => {
      const li = document.createElement('li');
      li.dataset.id = id;
      li.textContent = text;
      return li;
    }),
  );
}

async function start() {
  const kek = await deriveKek();
  const tokenUrl = new URL('/dev/token', server);
  tokenUrl.searchParams.set('user', user);
  const issued = await (await fetch(tokenUrl)).json();
  const space = issued.personal_space_id;

  async function apply(record) {
    if (record.deleted || !record.blob) items.delete(record.id);
    else {
      const dek = await unwrap(kek, record.dek);
      items.set(record.id, JSON.parse(new TextDecoder().decode(await open(dek, record.blob))).text);
    }
  }

  const conn = connect(issued.token, async (frame) => {
    if (frame.method === 'sync' && frame.params.space === space) {
      for (const record of frame.params.records) await apply(record);
      render();
    }
  });
  await conn.opened;
  const subscribed = await conn.call('subscribe', { spaces: [{ id: space, since: 0 }] });
  const generation = subscribed.result.spaces[0].key_generation;
  const pulled = await conn.call('pull', { spaces: [{ id: space, since: 0 }] });
  for (const chunk of pulled.chunks) if (chunk.name === 'pull.record') await apply(chunk.data);
  render();
  $('status').textContent = `connected as ${user} (${conn.protocol()})`;

  /** Adds an item; the other tabs hear it as a `sync` notification. Returns the record id. */
  async function addItem(text) {
    const id = crypto.randomUUID();
    const { dek, wrappedDek } = await newDek(kek, generation);
    const blob = await seal(dek, new TextEncoder().encode(JSON.stringify({ text })));
    const pushed = await conn.call('push', {
      space,
      changes: [{ id, blob, expected_cursor: 0, dek: wrappedDek }],
    });
    if (!pushed.result.ok) throw new Error(`push failed: ${pushed.result.error}`);
    items.set(id, text);
    render();
    return id;
  }

  /** Uploads `bytes` encrypted, attached to a new item, downloads it and decrypts it again. */
  async function fileRoundTrip(name, bytes) {
    const recordId = await addItem(`file: ${name}`);
    const fileId = crypto.randomUUID();
    const { dek, wrappedDek } = await newDek(kek, generation);
    const url = new URL(`/api/v1/spaces/${space}/files/${fileId}`, server);
    const auth = { Authorization: `Bearer ${issued.token}` };
    const put = await fetch(url, {
      method: 'PUT',
      headers: { ...auth, 'X-Record-ID': recordId, 'X-Wrapped-DEK': toBase64(wrappedDek) },
      body: await seal(dek, bytes),
    });
    const got = await fetch(url, { headers: auth });
    const header = got.headers.get('X-Wrapped-DEK');
    const plain = await open(
      await unwrap(kek, fromBase64(header ?? '')),
      new Uint8Array(await got.arrayBuffer()),
    );
    return { putStatus: put.status, getStatus: got.status, header, bytes: plain };
  }

  $('add').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (text) void addItem(text).then(() => ($('text').value = ''));
  });
  $('file').addEventListener('change', async () => {
    const file = $('file').files?.[0];
    if (!file) return;
    const result = await fileRoundTrip(file.name, new Uint8Array(await file.arrayBuffer()));
    $('file-status').textContent =
      `uploaded (${result.putStatus}), downloaded and decrypted ${result.bytes.length} bytes`;
  });

  return { addItem, fileRoundTrip, items: () => [...items.values()], protocol: conn.protocol };
}

window.demo = start().catch((err) => {
  $('status').textContent = `error: ${err.message}`;
  throw err;
});
