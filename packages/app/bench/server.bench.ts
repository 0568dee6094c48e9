/**
 * The whole server over real sockets: `/health` (a database round trip), and file upload + download of
 * 1 MiB and 16 MiB through the streamed path to the local blob store. Database: TEST_DATABASE_URL's
 * server in its own schema, else the embedded one in a temp directory.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { devToken, type ServerFixture, startServer } from '../test/server/helpers.js';
import { WsClient } from '../test/server/ws-client.js';

let fixture: ServerFixture;
let token = '';
let space = '';
let record = '';
const DEK = Buffer.alloc(44, 1).toString('base64');
const ONE_MIB = Buffer.alloc(1024 * 1024, 7);
const SIXTEEN_MIB = Buffer.alloc(16 * 1024 * 1024, 9);

beforeAll(async () => {
  fixture = await startServer();
  const minted = await devToken(fixture.url, 'bench');
  token = minted.token as string;
  space = minted.personal_space_id as string;
  record = randomUUID();
  const ws = await WsClient.connect(fixture.wsUrl, token);
  await ws.call('push', { space, changes: [{ id: record, blob: new Uint8Array([1]), expected_cursor: 0 }] });
  ws.close();
}, 120_000);

afterAll(async () => {
  await fixture.close();
  await rm(fixture.dir, { recursive: true, force: true });
});

async function roundTrip(body: Buffer): Promise<void> {
  const url = `${fixture.url}/api/v1/spaces/${space}/files/${randomUUID()}`;
  const put = await fetch(url, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'X-Record-ID': record, 'X-Wrapped-DEK': DEK },
    body,
  });
  if (put.status !== 201) throw new Error(`PUT ${put.status}`);
  const get = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  const bytes = await get.arrayBuffer();
  if (bytes.byteLength !== body.length) throw new Error('short read');
}

describe('server over real sockets', () => {
  bench('GET /health', async () => {
    const res = await fetch(`${fixture.url}/health`);
    await res.arrayBuffer();
  });
  bench('file PUT + GET, 1 MiB', () => roundTrip(ONE_MIB), { iterations: 30 });
  bench('file PUT + GET, 16 MiB', () => roundTrip(SIXTEEN_MIB), { iterations: 8 });
});
