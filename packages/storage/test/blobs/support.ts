import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type BlobStore, createLocalBlobStore, createS3BlobStore } from '@less-sync/storage';
import S3rver from 's3rver';

export interface StoreFixture {
  readonly name: 'local' | 's3';
  open(): Promise<{ store: BlobStore; dispose(): Promise<void> }>;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export const local: StoreFixture = {
  name: 'local',
  async open() {
    const dir = await tempDir('less-sync-blobs-');
    const store = await createLocalBlobStore({ root: join(dir, 'nested', 'root') });
    return { store, dispose: () => rm(dir, { recursive: true, force: true }) };
  },
};

/** A real S3-compatible HTTP server on 127.0.0.1 with a fresh bucket per store. */
export async function startS3(): Promise<{ endpoint: string; stop(): Promise<void>; bucket: string }> {
  const dir = await tempDir('less-sync-s3rver-');
  const bucket = `b${randomBytes(4).toString('hex')}`;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `127.0.0.1:${port}`,
    bucket,
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const s3: StoreFixture = {
  name: 's3',
  async open() {
    const server = await startS3();
    const store = createS3BlobStore({
      endpoint: server.endpoint,
      useSsl: false,
      bucket: server.bucket,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
    return {
      store,
      async dispose() {
        store.close();
        await server.stop();
      },
    };
  },
};

/** `total` bytes of a repeatable pattern, yielded in `chunk`-sized pieces. */
export async function* pattern(total: number, chunk = 64 * 1024, seed = 7): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += chunk) {
    const n = Math.min(chunk, total - sent);
    const piece = Buffer.alloc(n);
    for (let i = 0; i < n; i++) piece[i] = (sent + i + seed) & 0xff;
    yield piece;
  }
}

export function expected(total: number, seed = 7): Buffer {
  const out = Buffer.alloc(total);
  for (let i = 0; i < total; i++) out[i] = (i + seed) & 0xff;
  return out;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out.sort();
}

/** A body that sends `first` bytes, then waits until `release` is called with an error or not. */
export function gatedBody(first: Uint8Array): {
  body: AsyncIterable<Uint8Array>;
  started: Promise<void>;
  fail(error: Error): void;
  finish(rest: Uint8Array): void;
} {
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((r) => {
    onStarted = r;
  });
  let settle: (value: Uint8Array | Error) => void = () => undefined;
  const gate = new Promise<Uint8Array | Error>((r) => {
    settle = r;
  });
  async function* body(): AsyncGenerator<Uint8Array> {
    yield first;
    onStarted();
    const next = await gate;
    if (next instanceof Error) throw next;
    yield next;
  }
  return { body: body(), started, fail: (e) => settle(e), finish: (rest) => settle(rest) };
}
