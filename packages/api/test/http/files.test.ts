import { randomUUID } from 'node:crypto';
import { computeUcanCid } from '@less-sync/auth';
import { decodeCbor } from '@less-sync/core';
import type { Subscriber } from '@less-sync/realtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/index.js';
import {
  authContext,
  bearer,
  DEK,
  type FileFixture,
  fileFixture,
  healthy,
  PERSONAL_1,
  PERSONAL_2,
  SHARED,
  StubValidator,
  seedRecord,
  tombstone,
  UcanIssuer,
} from './helpers.js';

async function* chunks(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

const fileUrl = (space: string, file: string) => `/api/v1/spaces/${space}/files/${file}`;

function putInit(
  token: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): RequestInit {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    method: 'PUT',
    headers: bearer(token, {
      'Content-Length': String(bytes.length),
      'X-Wrapped-DEK': DEK(9),
      ...headers,
    }),
    body: bytes,
  };
}

let f: FileFixture;
beforeEach(async () => {
  f = await fileFixture();
});
afterEach(async () => {
  await f.close();
});

/** A shared space owned by `root`, with a bearer token `files-shared-user` whose DID is `bearerDid`. */
async function sharedSpace(root: UcanIssuer, bearerDid: string): Promise<void> {
  await f.t.storage.createSpace(SHARED, 'owner-client', root.compressed);
  f.validator.tokens.set('files-shared-user', authContext('sync files', PERSONAL_1, bearerDid));
}

describe('HTTP-01 FILES-01 FILES-02 routing, ids and scope', () => {
  it('HTTP-01 file_routes_are_not_registered_without_file_storage', async () => {
    const app = createHttpApp({ health: healthy, tokenValidator: new StubValidator() });
    const res = await app.request(fileUrl(PERSONAL_1, randomUUID()), { headers: bearer('files-user1') });
    expect([res.status, await res.text()]).toEqual([404, '']);
  });

  it('FILES-02 put_file_requires_files_scope', async () => {
    const res = await f.app.request(
      fileUrl(PERSONAL_1, randomUUID()),
      putInit('sync-user1', 'test', { 'X-Record-ID': randomUUID() }),
    );
    expect([res.status, await res.json()]).toEqual([403, { error: 'files scope required' }]);
  });

  it('FILES-02 get_file_requires_files_scope', async () => {
    const res = await f.app.request(fileUrl(PERSONAL_1, randomUUID()), { headers: bearer('sync-user1') });
    expect([res.status, await res.json()]).toEqual([403, { error: 'files scope required' }]);
  });

  it('FILES-02 head_file_requires_files_scope', async () => {
    const res = await f.app.request(fileUrl(PERSONAL_1, randomUUID()), {
      method: 'HEAD',
      headers: bearer('sync-user1'),
    });
    expect(res.status).toBe(403);
  });

  it('FILES-02 the scope check comes before id parsing; scope must be an exact token', async () => {
    f.validator.tokens.set('filesx', authContext('sync filesx', PERSONAL_1));
    const res = await f.app.request(fileUrl('bad', 'bad'), { headers: bearer('filesx') });
    expect(res.status).toBe(403);
  });

  it('FILES-01 get_file_rejects_invalid_file_id', async () => {
    const res = await f.app.request(fileUrl(PERSONAL_1, 'invalid'), { headers: bearer('files-user1') });
    expect([res.status, await res.json()]).toEqual([400, { error: 'invalid file ID' }]);
  });

  it('FILES-01 head_file_rejects_invalid_file_id', async () => {
    const res = await f.app.request(fileUrl(PERSONAL_1, 'invalid'), {
      method: 'HEAD',
      headers: bearer('files-user1'),
    });
    expect(res.status).toBe(400);
  });

  it('FILES-01 the space id is checked first; every lenient UUID spelling is one file', async () => {
    const bad = await f.app.request(fileUrl('nope', 'nope'), { headers: bearer('files-user1') });
    expect(await bad.json()).toEqual({ error: 'invalid space ID' });

    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const upper = `{${file.toUpperCase()}}`;
    const simple = PERSONAL_1.replaceAll('-', '');
    expect(
      (await f.app.request(fileUrl(simple, upper), putInit('files-user1', 'abc', { 'X-Record-ID': record })))
        .status,
    ).toBe(201);
    const res = await f.app.request(fileUrl(PERSONAL_1, `urn:uuid:${file}`), {
      headers: bearer('files-user1'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${file}"`);
    expect(await f.blobs.exists(`spaces/${PERSONAL_1}/files/${file}`)).toBe(true);
  });

  it('HTTP-02 a wrong method on the file route is 405 listing PUT, GET, HEAD', async () => {
    const res = await f.app.request(fileUrl(PERSONAL_1, randomUUID()), {
      method: 'POST',
      headers: bearer('files-user1'),
    });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'PUT, GET, HEAD']);
  });
});

describe('FILES-07/09/10/11 upload and download', () => {
  it('FILES-09 FILES-10 FILES-11 put_get_and_head_file_succeeds', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const put = await f.app.request(
      fileUrl(PERSONAL_1, file),
      putInit('files-user1', 'hello world', { 'X-Record-ID': record }),
    );
    expect([put.status, await put.text()]).toEqual([201, '']);

    const get = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') });
    expect(get.status).toBe(200);
    expect(get.headers.get('x-wrapped-dek')).toBe(DEK(9));
    expect(get.headers.get('content-type')).toBe('application/octet-stream');
    expect(get.headers.get('content-length')).toBe('11');
    expect(get.headers.get('etag')).toBe(`"${file}"`);
    expect(get.headers.get('x-record-id')).toBeNull();
    expect(get.headers.get('cache-control')).toBeNull();
    expect(await get.text()).toBe('hello world');

    const head = await f.app.request(fileUrl(PERSONAL_1, file), {
      method: 'HEAD',
      headers: bearer('files-user1'),
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-wrapped-dek')).toBe(DEK(9));
    expect(await head.text()).toBe('');
  });

  it('FILES-07 put_file_is_idempotent (201 then 204; the second changes nothing)', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const first = await f.app.request(
      fileUrl(PERSONAL_1, file),
      putInit('files-user1', 'one', { 'X-Record-ID': record }),
    );
    expect(first.status).toBe(201);
    const second = await f.app.request(
      fileUrl(PERSONAL_1, file),
      putInit('files-user1', 'two', { 'X-Record-ID': record, 'X-Wrapped-DEK': DEK(1) }),
    );
    expect([second.status, await second.text()]).toEqual([204, '']);
    const get = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') });
    expect([await get.text(), get.headers.get('x-wrapped-dek')]).toEqual(['one', DEK(9)]);
  });

  it('R21 FILES-07 a retry after a half-finished upload (blob stored, metadata not) completes it', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    // What a crash between the blob write and the metadata insert leaves behind.
    const key = `spaces/${PERSONAL_1}/files/${file}`;
    await f.blobs.put(key, chunks('stale bytes'), { size: 11, maxBytes: 100 });
    const retry = await f.app.request(
      fileUrl(PERSONAL_1, file),
      putInit('files-user1', 'fresh', { 'X-Record-ID': record }),
    );
    expect(retry.status).toBe(201);
    const get = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') });
    expect([get.status, await get.text()]).toEqual([200, 'fresh']);
  });

  it('FILES-07 an empty file uploads and downloads', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    expect(
      (await f.app.request(fileUrl(PERSONAL_1, file), putInit('files-user1', '', { 'X-Record-ID': record })))
        .status,
    ).toBe(201);
    const get = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') });
    expect([get.status, get.headers.get('content-length'), await get.text()]).toEqual([200, '0', '']);
  });

  it('FILES-09 a file that does not exist is 404 for GET and HEAD', async () => {
    const url = fileUrl(PERSONAL_1, randomUUID());
    const get = await f.app.request(url, { headers: bearer('files-user1') });
    expect([get.status, await get.json()]).toEqual([404, { error: 'file not found' }]);
    expect((await f.app.request(url, { method: 'HEAD', headers: bearer('files-user1') })).status).toBe(404);
  });

  it('FILES-09 FILES-10 metadata without its blob: GET 404, HEAD still 200 (the blob is not read)', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    await f.app.request(fileUrl(PERSONAL_1, file), putInit('files-user1', 'abc', { 'X-Record-ID': record }));
    await f.blobs.delete(`spaces/${PERSONAL_1}/files/${file}`);
    expect((await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') })).status).toBe(
      404,
    );
    const head = await f.app.request(fileUrl(PERSONAL_1, file), {
      method: 'HEAD',
      headers: bearer('files-user1'),
    });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '3']);
  });

  it('FILES-09 a blob whose size differs from the metadata is a 500, not a truncated body', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    await f.app.request(fileUrl(PERSONAL_1, file), putInit('files-user1', 'abc', { 'X-Record-ID': record }));
    await f.blobs.put(`spaces/${PERSONAL_1}/files/${file}`, chunks('abcdef'), {
      size: 6,
      maxBytes: 10,
      overwrite: true,
    });
    const res = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') });
    expect([res.status, await res.json()]).toEqual([500, { error: 'internal error' }]);
  });
});

describe('FILES-04 FILES-05 FILES-06 upload validation', () => {
  it('FILES-04 put_file_rejects_missing_wrapped_dek', async () => {
    const init = putInit('files-user1', 'test', { 'X-Record-ID': randomUUID() });
    const headers = new Headers(init.headers);
    headers.delete('x-wrapped-dek');
    const res = await f.app.request(fileUrl(PERSONAL_1, randomUUID()), { ...init, headers });
    expect([res.status, await res.json()]).toEqual([400, { error: 'X-Wrapped-DEK header required' }]);
  });

  it('FILES-04 header validation order and messages', async () => {
    const url = fileUrl(PERSONAL_1, randomUUID());
    const cases: Array<[Record<string, string>, number, string]> = [
      [{}, 400, 'X-Record-ID header required'],
      [{ 'X-Record-ID': 'rec-1' }, 400, 'X-Record-ID must be a valid UUID'],
      [{ 'X-Record-ID': randomUUID(), 'X-Wrapped-DEK': '!!!' }, 400, 'X-Wrapped-DEK must be valid base64'],
      [
        { 'X-Record-ID': randomUUID(), 'X-Wrapped-DEK': DEK(9).replace('=', '') },
        400,
        'X-Wrapped-DEK must be valid base64',
      ],
      [
        { 'X-Record-ID': randomUUID(), 'X-Wrapped-DEK': Buffer.alloc(44, 0xfb).toString('base64url') },
        400,
        'X-Wrapped-DEK must be valid base64',
      ],
      [
        { 'X-Record-ID': randomUUID(), 'X-Wrapped-DEK': Buffer.alloc(32).toString('base64') },
        400,
        'X-Wrapped-DEK must decode to exactly 44 bytes',
      ],
      [{ 'X-Record-ID': randomUUID(), 'Content-Length': '104857601' }, 413, 'file exceeds 100 MB limit'],
    ];
    for (const [headers, status, message] of cases) {
      const init = putInit('files-user1', 'test', headers);
      const h = new Headers(init.headers);
      if (!('X-Record-ID' in headers)) h.delete('x-record-id');
      const res = await f.app.request(url, { ...init, headers: h });
      expect([res.status, await res.json()]).toEqual([status, { error: message }]);
    }
  });

  it('FILES-04 a non-canonical base64 DEK (non-zero trailing bits) is refused', async () => {
    const good = DEK(7);
    const bad = `${good.slice(0, 58)}B=`; // same bytes' alphabet, trailing bits set
    const res = await f.app.request(
      fileUrl(PERSONAL_1, randomUUID()),
      putInit('files-user1', 'x', { 'X-Record-ID': randomUUID(), 'X-Wrapped-DEK': bad }),
    );
    expect(await res.json()).toEqual({ error: 'X-Wrapped-DEK must be valid base64' });
  });

  it('FILES-04 put_file_requires_content_length (chunked upload → 411)', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Buffer.from('test'));
        controller.close();
      },
    });
    const res = await f.app.request(fileUrl(PERSONAL_1, randomUUID()), {
      method: 'PUT',
      headers: bearer('files-user1', { 'X-Record-ID': randomUUID(), 'X-Wrapped-DEK': DEK(1) }),
      body,
      duplex: 'half',
    } as RequestInit);
    expect([res.status, await res.json()]).toEqual([411, { error: 'Content-Length required' }]);
  });

  it('FILES-04 put_file_rejects_content_length_mismatch (declared 10, sent 4; nothing stored)', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const res = await f.app.request(
      fileUrl(PERSONAL_1, file),
      putInit('files-user1', 'test', { 'X-Record-ID': record, 'Content-Length': '10' }),
    );
    expect([res.status, await res.json()]).toEqual([
      400,
      { error: 'Content-Length does not match request body length' },
    ]);
    expect(await f.blobs.exists(`spaces/${PERSONAL_1}/files/${file}`)).toBe(false);
    expect(await f.t.storage.fileExists(PERSONAL_1, file)).toBe(false);
  });

  it('FILES-04 a body longer than declared is a mismatch too', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const res = await f.app.request(
      fileUrl(PERSONAL_1, randomUUID()),
      putInit('files-user1', 'too long', { 'X-Record-ID': record, 'Content-Length': '3' }),
    );
    expect(res.status).toBe(400);
  });

  it('FILES-04 an invalid Content-Length header is 400', async () => {
    const res = await f.app.request(
      fileUrl(PERSONAL_1, randomUUID()),
      putInit('files-user1', 'x', { 'X-Record-ID': randomUUID(), 'Content-Length': '-1' }),
    );
    expect(await res.json()).toEqual({ error: 'invalid Content-Length header' });
  });

  it('R21 FILES-05 the limit is MAX_FILE_SIZE: over it → 413 before any byte is read, nothing stored', async () => {
    const small = await fileFixture({ maxFileSize: 1024 * 1024 });
    try {
      const record = randomUUID();
      await seedRecord(small.t, PERSONAL_1, record);
      const file = randomUUID();
      const body = Buffer.alloc(1024 * 1024 + 1, 1);
      const res = await small.app.request(
        fileUrl(PERSONAL_1, file),
        putInit('files-user1', body, { 'X-Record-ID': record }),
      );
      expect([res.status, await res.json()]).toEqual([413, { error: 'file exceeds 1 MB limit' }]);
      expect(await small.blobs.exists(`spaces/${PERSONAL_1}/files/${file}`)).toBe(false);
      const exact = await small.app.request(
        fileUrl(PERSONAL_1, file),
        putInit('files-user1', Buffer.alloc(1024 * 1024, 2), { 'X-Record-ID': record }),
      );
      expect(exact.status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('R21 FILES-05 a 3 MiB upload (above the reference accidental 2 MiB cap) succeeds', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const body = Buffer.alloc(3 * 1024 * 1024, 5);
    expect(
      (
        await f.app.request(
          fileUrl(PERSONAL_1, file),
          putInit('files-user1', body, { 'X-Record-ID': record }),
        )
      ).status,
    ).toBe(201);
    const get = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') });
    expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true);
  });

  it('FILES-06 put_file_rejects_nonexistent_record', async () => {
    const res = await f.app.request(
      fileUrl(PERSONAL_1, randomUUID()),
      putInit('files-user1', 'test', { 'X-Record-ID': randomUUID() }),
    );
    expect([res.status, await res.json()]).toEqual([400, { error: 'record not found in this space' }]);
  });

  it('FILES-06 a record of another space does not count', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_2, record, 'client-2');
    const res = await f.app.request(
      fileUrl(PERSONAL_1, randomUUID()),
      putInit('files-user1', 'x', { 'X-Record-ID': record }),
    );
    expect(res.status).toBe(400);
  });

  it('R20 no file can be attached to a tombstoned record', async () => {
    const record = randomUUID();
    const cursor = await seedRecord(f.t, PERSONAL_1, record);
    await tombstone(f.t, PERSONAL_1, record, cursor);
    const file = randomUUID();
    const res = await f.app.request(
      fileUrl(PERSONAL_1, file),
      putInit('files-user1', 'x', { 'X-Record-ID': record }),
    );
    expect([res.status, await res.json()]).toEqual([400, { error: 'record not found in this space' }]);
    expect(await f.blobs.exists(`spaces/${PERSONAL_1}/files/${file}`)).toBe(false);
  });

  it('R19 a tombstoned record takes its files with it: GET is then 404', async () => {
    const record = randomUUID();
    const cursor = await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    await f.app.request(fileUrl(PERSONAL_1, file), putInit('files-user1', 'x', { 'X-Record-ID': record }));
    expect(await tombstone(f.t, PERSONAL_1, record, cursor)).toEqual([file]);
    expect((await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') })).status).toBe(
      404,
    );
  });
});

describe('FILES-03 space authorization', () => {
  it('FILES-03 get_file_from_other_personal_space_returns_not_found', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    expect(
      (
        await f.app.request(
          fileUrl(PERSONAL_1, file),
          putInit('files-user1', 'secret', { 'X-Record-ID': record }),
        )
      ).status,
    ).toBe(201);
    const res = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user2') });
    expect([res.status, await res.json()]).toEqual([404, { error: 'file not found' }]);
  });

  it("FILES-03 a PUT to someone else's personal space is 404 space not found", async () => {
    await f.t.storage.getOrCreateSpace(PERSONAL_2, 'client-2');
    const res = await f.app.request(
      fileUrl(PERSONAL_2, randomUUID()),
      putInit('files-user1', 'x', { 'X-Record-ID': randomUUID() }),
    );
    expect([res.status, await res.json()]).toEqual([404, { error: 'space not found' }]);
    const missing = await f.app.request(
      fileUrl(randomUUID(), randomUUID()),
      putInit('files-user1', 'x', { 'X-Record-ID': randomUUID() }),
    );
    expect(await missing.json()).toEqual({ error: 'space not found' });
  });

  it('FILES-03 the personal space is created on first use, also by a read', async () => {
    const res = await f.app.request(fileUrl(PERSONAL_1, randomUUID()), { headers: bearer('files-user1') });
    expect(res.status).toBe(404);
    expect((await f.t.storage.getSpace(PERSONAL_1)).client_id).toBe('client');
  });

  it('FILES-03 shared_space_put_get_and_head_with_valid_ucan_succeeds', async () => {
    const root = new UcanIssuer();
    const bearerKey = new UcanIssuer();
    await sharedSpace(root, bearerKey.did);
    const write = root.issue(bearerKey.did, SHARED, 'write');
    const read = root.issue(bearerKey.did, SHARED, 'read');
    const record = randomUUID();
    await seedRecord(f.t, SHARED, record);
    const file = randomUUID();
    const put = await f.app.request(
      fileUrl(SHARED, file),
      putInit('files-shared-user', 'shared payload', {
        'X-Record-ID': record,
        'X-UCAN': write,
        'X-Wrapped-DEK': DEK(7),
      }),
    );
    expect(put.status).toBe(201);
    const get = await f.app.request(fileUrl(SHARED, file), {
      headers: bearer('files-shared-user', { 'X-UCAN': read }),
    });
    expect([get.status, await get.text()]).toEqual([200, 'shared payload']);
    const head = await f.app.request(fileUrl(SHARED, file), {
      method: 'HEAD',
      headers: bearer('files-shared-user', { 'X-UCAN': read }),
    });
    expect([head.status, head.headers.get('x-wrapped-dek')]).toEqual([200, DEK(7)]);
  });

  it('FILES-03 shared_space_put_with_delegated_ucan_succeeds', async () => {
    const root = new UcanIssuer();
    const delegate = new UcanIssuer();
    const bearerKey = new UcanIssuer();
    await sharedSpace(root, bearerKey.did);
    const proof = root.issue(delegate.did, SHARED, 'write');
    const leaf = delegate.issue(bearerKey.did, SHARED, 'write', [proof]);
    const record = randomUUID();
    await seedRecord(f.t, SHARED, record);
    const res = await f.app.request(
      fileUrl(SHARED, randomUUID()),
      putInit('files-shared-user', 'test', { 'X-Record-ID': record, 'X-UCAN': leaf }),
    );
    expect(res.status).toBe(201);
  });

  it('FILES-03 shared_space_put_without_ucan_returns_unauthorized', async () => {
    const root = new UcanIssuer();
    await sharedSpace(root, new UcanIssuer().did);
    const res = await f.app.request(
      fileUrl(SHARED, randomUUID()),
      putInit('files-shared-user', 'test', { 'X-Record-ID': randomUUID() }),
    );
    expect([res.status, await res.json()]).toEqual([401, { error: 'authorization required' }]);
  });

  it('FILES-03 an empty X-UCAN or a token without DID is 401 too', async () => {
    const root = new UcanIssuer();
    const bearerKey = new UcanIssuer();
    await sharedSpace(root, '');
    const write = root.issue(bearerKey.did, SHARED, 'write');
    const noDid = await f.app.request(fileUrl(SHARED, randomUUID()), {
      headers: bearer('files-shared-user', { 'X-UCAN': write }),
    });
    expect([noDid.status, await noDid.json()]).toEqual([401, { error: 'authorization required' }]);
    f.validator.tokens.set('files-shared-user', authContext('sync files', PERSONAL_1, bearerKey.did));
    const empty = await f.app.request(fileUrl(SHARED, randomUUID()), {
      headers: bearer('files-shared-user', { 'X-UCAN': '' }),
    });
    expect(empty.status).toBe(401);
  });

  it('FILES-03 shared_space_put_with_invalid_ucan_returns_forbidden', async () => {
    await sharedSpace(new UcanIssuer(), new UcanIssuer().did);
    const res = await f.app.request(
      fileUrl(SHARED, randomUUID()),
      putInit('files-shared-user', 'test', { 'X-Record-ID': randomUUID(), 'X-UCAN': 'not-a-valid-ucan' }),
    );
    expect([res.status, await res.json()]).toEqual([403, { error: 'access denied' }]);
  });

  it('FILES-03 shared_space_put_requires_write_permission (read UCAN on PUT → 403)', async () => {
    const root = new UcanIssuer();
    const bearerKey = new UcanIssuer();
    await sharedSpace(root, bearerKey.did);
    const read = root.issue(bearerKey.did, SHARED, 'read');
    const res = await f.app.request(
      fileUrl(SHARED, randomUUID()),
      putInit('files-shared-user', 'test', { 'X-Record-ID': randomUUID(), 'X-UCAN': read }),
    );
    expect(res.status).toBe(403);
  });

  it('FILES-03 shared_space_put_with_revoked_ucan_returns_forbidden', async () => {
    const root = new UcanIssuer();
    const bearerKey = new UcanIssuer();
    await sharedSpace(root, bearerKey.did);
    const write = root.issue(bearerKey.did, SHARED, 'write');
    await f.t.storage.revokeUcan(SHARED, computeUcanCid(write));
    const res = await f.app.request(
      fileUrl(SHARED, randomUUID()),
      putInit('files-shared-user', 'test', { 'X-Record-ID': randomUUID(), 'X-UCAN': write }),
    );
    expect([res.status, await res.json()]).toEqual([403, { error: 'access denied' }]);
  });

  it('FILES-03 shared_space_put_with_revoked_proof_ucan_returns_forbidden', async () => {
    const root = new UcanIssuer();
    const delegate = new UcanIssuer();
    const bearerKey = new UcanIssuer();
    await sharedSpace(root, bearerKey.did);
    const proof = root.issue(delegate.did, SHARED, 'write');
    const leaf = delegate.issue(bearerKey.did, SHARED, 'write', [proof]);
    await f.t.storage.revokeUcan(SHARED, computeUcanCid(proof));
    const res = await f.app.request(
      fileUrl(SHARED, randomUUID()),
      putInit('files-shared-user', 'test', { 'X-Record-ID': randomUUID(), 'X-UCAN': leaf }),
    );
    expect(res.status).toBe(403);
  });

  it('FILES-03 a UCAN for another space is refused; a GET 404 from authz reads file not found', async () => {
    const root = new UcanIssuer();
    const bearerKey = new UcanIssuer();
    await sharedSpace(root, bearerKey.did);
    const other = root.issue(bearerKey.did, randomUUID(), 'read');
    const res = await f.app.request(fileUrl(SHARED, randomUUID()), {
      headers: bearer('files-shared-user', { 'X-UCAN': other }),
    });
    expect(res.status).toBe(403);
    const missing = await f.app.request(fileUrl(randomUUID(), randomUUID()), {
      headers: bearer('files-shared-user', { 'X-UCAN': other }),
    });
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'file not found' }]);
  });

  it('R11 a JWT whose personal space id names a shared space is refused', async () => {
    const root = new UcanIssuer();
    await f.t.storage.createSpace(SHARED, 'owner-client', root.compressed);
    f.validator.tokens.set('squatter', authContext('files', SHARED));
    const res = await f.app.request(fileUrl(SHARED, randomUUID()), { headers: bearer('squatter') });
    expect([res.status, await res.json()]).toEqual([403, { error: 'access denied' }]);
  });
});

describe('FILES-08 R5 the file notification', () => {
  it('FILES-08 R5 a new upload reaches subscribers of the canonical (hyphenated) space id, once', async () => {
    const frames: Uint8Array[] = [];
    const subscriber: Subscriber = {
      send: (payload) => frames.push(payload) > 0,
      excludeId: 'conn-1',
      mailboxId: 'mailbox-1',
      isClosed: () => false,
    };
    const notified: Array<[string, number]> = [];
    await f.close();
    f = await fileFixture({ onNotification: (method, delivered) => notified.push([method, delivered]) });
    await f.broker.register(subscriber, [PERSONAL_1]);
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const simpleSpace = PERSONAL_1.replaceAll('-', '').toUpperCase();
    await f.app.request(
      fileUrl(simpleSpace, file),
      putInit('files-user1', 'hello', { 'X-Record-ID': record.toUpperCase() }),
    );
    await f.app.request(
      fileUrl(PERSONAL_1, file),
      putInit('files-user1', 'hello', { 'X-Record-ID': record }),
    );
    expect(frames).toHaveLength(1);
    expect(notified).toEqual([['file', 1]]);
    const frame = decodeCbor(frames[0] as Uint8Array) as {
      type: number;
      method: string;
      params: Record<string, unknown>;
    };
    expect(frame.type).toBe(2);
    expect(frame.method).toBe('file');
    const params = frame.params;
    expect(params.space).toBe(PERSONAL_1);
    const cursor = (await f.t.storage.getFileMetadata(PERSONAL_1, file)).cursor;
    expect(params.cursor).toBe(cursor);
    const [entry] = params.files as Array<Record<string, unknown>>;
    expect(entry?.id).toBe(file);
    expect(entry?.record_id).toBe(record);
    expect(entry?.size).toBe(5);
    expect(Buffer.from(entry?.dek as Uint8Array).toString('base64')).toBe(DEK(9));
    expect(entry && 'deleted' in entry).toBe(false);
  });
});

describe('FILES-07 concurrency', () => {
  it('concurrent uploads of one file id: exactly one 201, the stored bytes match the recorded metadata', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const bodies = ['aaaa', 'bbbbbb', 'cc', 'dddddddd'];
    const results = await Promise.all(
      bodies.map((b, i) =>
        f.app.request(
          fileUrl(PERSONAL_1, file),
          putInit('files-user1', b, { 'X-Record-ID': record, 'X-Wrapped-DEK': DEK(i) }),
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 204, 204, 204]);
    const meta = await f.t.storage.getFileMetadata(PERSONAL_1, file);
    const get = await f.app.request(fileUrl(PERSONAL_1, file), { headers: bearer('files-user1') });
    expect((await get.text()).length).toBe(meta.size);
    expect(f.lock.size).toBe(0);
  });
});
