import { randomUUID } from 'node:crypto';
import { StorageError } from '@less-sync/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpaceAuthorizer } from '../../src/authz/index.js';
import { createHttpApp, type FileRoutesDeps, type HttpApp } from '../../src/index.js';
import {
  bearer,
  DEK,
  type FileFixture,
  fileFixture,
  healthy,
  PERSONAL_1,
  SHARED,
  seedRecord,
} from './helpers.js';

/**
 * Failure paths of the file routes: the real database and blob store, with one operation made to fail
 * (a dependency outage, injected), to prove each maps to its status and leaves nothing half-done.
 */
let f: FileFixture;
beforeEach(async () => {
  f = await fileFixture();
});
afterEach(async () => {
  await f.close();
});

const url = (file: string, space = PERSONAL_1) => `/api/v1/spaces/${space}/files/${file}`;
const put = (record: string, body = 'abc', extra: Record<string, string> = {}): RequestInit => ({
  method: 'PUT',
  headers: bearer('files-user1', {
    'Content-Length': String(body.length),
    'X-Wrapped-DEK': DEK(3),
    'X-Record-ID': record,
    ...extra,
  }),
  body,
});

function appWith(overrides: {
  storage?: Partial<FileRoutesDeps['storage']>;
  blobs?: Partial<FileRoutesDeps['blobs']>;
  broker?: FileRoutesDeps['broker'];
  authorizer?: FileRoutesDeps['authorizer'];
}): HttpApp {
  const storage = Object.assign(
    Object.create(f.t.storage),
    overrides.storage ?? {},
  ) as FileRoutesDeps['storage'];
  const blobs = Object.assign(Object.create(f.blobs), overrides.blobs ?? {}) as FileRoutesDeps['blobs'];
  const authorizer =
    overrides.authorizer ??
    new SpaceAuthorizer({
      storage: f.t.storage,
      ucan: { validateChain: async () => Promise.reject(new Error('unused')) },
      logger: { warn: () => {}, error: () => {} },
    });
  return createHttpApp({
    health: healthy,
    tokenValidator: f.validator,
    files: {
      storage,
      blobs,
      authorizer,
      broker: overrides.broker ?? f.broker,
      maxFileSize: 1024,
      uploadLock: f.lock,
    },
  });
}

const outage = () => Promise.reject(StorageError.database(new Error('connection reset')));
const internal = { error: 'internal error' };

describe('FILES-14 storage and blob failures answer 500 and store nothing', () => {
  it('record lookup, metadata lookup and metadata insert failures', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    for (const storage of [{ recordExists: outage }, { fileExists: outage }, { recordFile: outage }]) {
      const res = await appWith({ storage }).request(url(randomUUID()), put(record));
      expect([res.status, await res.json()]).toEqual([500, internal]);
    }
  });

  it('a blob store failure is 500 and leaves no metadata', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const res = await appWith({ blobs: { put: () => Promise.reject(new Error('disk full')) } }).request(
      url(file),
      put(record),
    );
    expect([res.status, await res.json()]).toEqual([500, internal]);
    expect(await f.t.storage.fileExists(PERSONAL_1, file)).toBe(false);
  });

  it('R20 a record tombstoned between the check and the insert: 400, and the new blob is removed', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    const res = await appWith({
      storage: { recordFile: () => Promise.reject(new StorageError('RecordNotFound')) },
    }).request(url(file), put(record));
    expect([res.status, await res.json()]).toEqual([400, { error: 'record not found in this space' }]);
    expect(await f.blobs.exists(`spaces/${PERSONAL_1}/files/${file}`)).toBe(false);
  });

  it('FILES-07 a metadata row appearing meanwhile (another instance won) answers 204', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const res = await appWith({ storage: { recordFile: async () => undefined } }).request(
      url(randomUUID()),
      put(record),
    );
    expect(res.status).toBe(204);
  });

  it('FILES-08 a failing notification does not fail the upload', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const broker = Object.assign(Object.create(f.broker), {
      broadcastSpace: () => Promise.reject(new Error('broker down')),
    }) as FileRoutesDeps['broker'];
    const res = await appWith({ broker }).request(url(randomUUID()), put(record));
    expect(res.status).toBe(201);
  });

  it('metadata and blob read failures on GET are 500', async () => {
    const record = randomUUID();
    await seedRecord(f.t, PERSONAL_1, record);
    const file = randomUUID();
    expect((await f.app.request(url(file), put(record))).status).toBe(201);
    const metaDown = await appWith({ storage: { getFileMetadata: outage } }).request(url(file), {
      headers: bearer('files-user1'),
    });
    expect([metaDown.status, await metaDown.json()]).toEqual([500, internal]);
    const blobDown = await appWith({ blobs: { get: () => Promise.reject(new Error('io')) } }).request(
      url(file),
      {
        headers: bearer('files-user1'),
      },
    );
    expect([blobDown.status, await blobDown.json()]).toEqual([500, internal]);
  });

  it('FILES-03 a space lookup failure and an authorizer failure are 500 (not a masked 404/403)', async () => {
    const spaceDown = await appWith({ storage: { getSpace: outage } }).request(url(randomUUID(), SHARED), {
      headers: bearer('files-user1', { 'X-UCAN': 'x' }),
    });
    expect([spaceDown.status, await spaceDown.json()]).toEqual([500, internal]);
    const authzDown = await appWith({
      authorizer: { authorize: () => Promise.reject(new Error('revocation lookup failed')) },
    }).request(url(randomUUID()), { headers: bearer('files-user1') });
    expect([authzDown.status, await authzDown.json()]).toEqual([500, internal]);
  });
});

describe('HTTP-03 responses with immutable headers still get the common headers', () => {
  it('a redirect built by Response.redirect is copied and stamped', async () => {
    const app = createHttpApp({
      health: healthy,
      extraRoutes: [
        { path: '/go', public: true, methods: { GET: () => Response.redirect('http://example.com/', 302) } },
      ],
    });
    const res = await app.request('/go');
    expect([res.status, res.headers.get('location'), res.headers.get('x-protocol-version')]).toEqual([
      302,
      'http://example.com/',
      '1',
    ]);
  });
});
