import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createS3BlobStore, normalizeS3Endpoint } from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatedBody, pattern } from './support.js';

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(10);
  expect(condition()).toBe(true);
}

describe('FILES-13 S3 endpoint and construction', () => {
  it('keeps an explicit scheme, otherwise https unless USE_SSL is false', () => {
    expect(normalizeS3Endpoint('http://minio:9000')).toBe('http://minio:9000');
    expect(normalizeS3Endpoint('https://s3.example.com', false)).toBe('https://s3.example.com');
    expect(normalizeS3Endpoint(' s3.example.com ')).toBe('https://s3.example.com');
    expect(normalizeS3Endpoint('minio:9000', false)).toBe('http://minio:9000');
  });

  it('constructs without any network call', async () => {
    const store = createS3BlobStore({
      endpoint: 'nowhere.invalid:1',
      bucket: 'b',
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    expect(store.kind).toBe('s3');
    expect(await store.client.config.region()).toBe('us-east-1');
    expect(store.client.config.forcePathStyle).toBe(false);
    store.close();
  });

  it('FILES-13 path-style only when asked; no static keys means the standard credential chain', async () => {
    const pathStyle = createS3BlobStore({ endpoint: 'nowhere.invalid:1', bucket: 'b', forcePathStyle: true });
    expect(pathStyle.client.config.forcePathStyle).toBe(true);
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'from-env';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    try {
      const creds = await pathStyle.client.config.credentials();
      expect(creds.accessKeyId).toBe('from-env');
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
    pathStyle.close();
    const virtualHosted = createS3BlobStore({
      endpoint: 'https://s3.example.com',
      bucket: 'bkt',
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    expect(await virtualHosted.client.config.credentials()).toMatchObject({ accessKeyId: 'k' });
    virtualHosted.close();
  });
});

/** A scripted S3 endpoint, to see exactly what the store sends and how it reads answers. */
describe('FILES-13 S3 wire behaviour', () => {
  let server: Server;
  let seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; bytes: number }>;
  let closed: Array<{ method: string; complete: boolean; bytes: number }>;
  let answer: (method: string) => { status: number; body?: string; headers?: Record<string, string> };
  let endpoint: string;
  beforeEach(async () => {
    seen = [];
    closed = [];
    server = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('close', () => closed.push({ method: req.method ?? '', complete: req.complete, bytes }));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes });
        const a = answer(req.method ?? '');
        res.writeHead(a.status, { 'content-type': 'application/xml', ...a.headers });
        res.end(req.method === 'HEAD' ? undefined : a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  const store = () =>
    createS3BlobStore({ endpoint, bucket: 'bkt', accessKeyId: 'k', secretAccessKey: 's', region: 'auto' });

  it('create-only PUT: path-style, exact Content-Length, If-None-Match: *, 412 means exists', async () => {
    answer = (method) =>
      method === 'HEAD'
        ? { status: 404 }
        : {
            status: 412,
            body: '<?xml version="1.0"?><Error><Code>PreconditionFailed</Code><Message>x</Message></Error>',
          };
    const s = store();
    expect(await s.put('spaces/a/files/b', pattern(300_000), { size: 300_000, maxBytes: 1_000_000 })).toBe(
      'exists',
    );
    const put = seen.find((r) => r.method === 'PUT');
    expect(put?.url).toMatch(/^\/bkt\/spaces\/a\/files\/b(\?|$)/);
    expect(put?.headers['if-none-match']).toBe('*');
    expect(put?.headers['content-length']).toBe('300000');
    expect(put?.headers['transfer-encoding']).toBeUndefined();
    expect(put?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=k\/\d{8}\/auto\/s3\/aws4_request/,
    );
    s.close();
  });

  it('R21 a body that fails half-way aborts the PUT: the server never sees a complete request', async () => {
    answer = (method) => (method === 'HEAD' ? { status: 404 } : { status: 200 });
    const s = store();
    const gated = gatedBody(new Uint8Array(64 * 1024).fill(1));
    const put = s.put('k', gated.body, { size: 256 * 1024, maxBytes: 1 << 20 });
    await gated.started;
    await sleep(50);
    gated.fail(new Error('client went away'));
    await expect(put).rejects.toMatchObject({ code: 'body_failed' });
    await waitFor(() => closed.some((c) => c.method === 'PUT'));
    const request = closed.find((c) => c.method === 'PUT');
    expect(request?.complete).toBe(false);
    expect(request?.bytes).toBeLessThan(256 * 1024);
    expect(seen.filter((r) => r.method === 'PUT')).toEqual([]);
    s.close();
  });

  it('R21 a body longer than declared never completes the PUT with its first bytes', async () => {
    answer = (method) => (method === 'HEAD' ? { status: 404 } : { status: 200 });
    const s = store();
    await expect(
      s.put('k', pattern(300_000, 50_000), { size: 200_000, maxBytes: 1 << 20 }),
    ).rejects.toMatchObject({
      code: 'size_mismatch',
    });
    await waitFor(() => closed.some((c) => c.method === 'PUT'));
    expect(closed.find((c) => c.method === 'PUT')).toMatchObject({ complete: false });
    expect(seen.filter((r) => r.method === 'PUT')).toEqual([]);
    s.close();
  });

  it('overwrite PUT carries no condition', async () => {
    answer = () => ({ status: 200, headers: { etag: '"x"' } });
    const s = store();
    expect(await s.put('k', pattern(10), { size: 10, maxBytes: 10, overwrite: true })).toBe('created');
    expect(seen.map((r) => r.method)).toEqual(['PUT']);
    expect(seen[0]?.headers['if-none-match']).toBeUndefined();
    expect(seen[0]?.bytes).toBe(10);
    s.close();
  });

  it('server errors are backend errors', async () => {
    answer = () => ({
      status: 500,
      body: '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>disk on fire</Message></Error>',
    });
    const s = createS3BlobStore({
      endpoint,
      bucket: 'bkt',
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
    s.client.config.maxAttempts = async () => 1;
    await expect(s.head('k')).rejects.toMatchObject({ code: 'backend' });
    await expect(s.get('k')).rejects.toMatchObject({ code: 'backend' });
    await expect(s.delete('k')).rejects.toMatchObject({ code: 'backend' });
    await expect(s.put('k', pattern(1), { size: 1, maxBytes: 1, overwrite: true })).rejects.toMatchObject({
      code: 'backend',
      message: expect.stringContaining('cannot store blob k'),
    });
    const listing = s.list()[Symbol.asyncIterator]();
    await expect(listing.next()).rejects.toMatchObject({ code: 'backend' });
    s.close();
  });

  it('an unreachable endpoint is a backend error', async () => {
    const s = createS3BlobStore({
      endpoint: 'http://127.0.0.1:1',
      bucket: 'bkt',
      accessKeyId: 'k',
      secretAccessKey: 's',
      connectionTimeoutMs: 1000,
    });
    s.client.config.maxAttempts = async () => 1;
    await expect(s.exists('k')).rejects.toMatchObject({ code: 'backend' });
    s.close();
  });
});
