import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStorage } from '@less-sync/storage/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadFederationJwks, openBlobStore, openServerDatabase } from '../../src/index.js';

describe('server parts', () => {
  it('FILES-13 build_file_object_store_s3_constructs_without_network_calls', async () => {
    const config = loadConfig({
      LISTEN_ADDR: '127.0.0.1:0',
      FILE_STORAGE_BACKEND: 's3',
      FILE_S3_ENDPOINT: 'unreachable.invalid:9',
      FILE_S3_ACCESS_KEY: 'k',
      FILE_S3_SECRET_KEY: 's',
      FILE_S3_BUCKET: 'b',
    });
    const store = await openBlobStore(config.fileStorage);
    expect(store?.kind).toBe('s3');
  });

  it('CONFIG-07 FILES-12 local storage is created; none gives no store; an unusable path fails with its reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'less-sync-parts-'));
    try {
      const store = await openBlobStore({ kind: 'local', path: join(dir, 'a', 'b') });
      expect(store?.kind).toBe('local');
      expect(await openBlobStore({ kind: 'none' })).toBeUndefined();
      await writeFile(join(dir, 'file'), 'x');
      await expect(openBlobStore({ kind: 'local', path: join(dir, 'file', 'sub') })).rejects.toThrow(
        /failed to initialize local file storage/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('HTTP-10 FED-KEY-02 active federation keys become JWKs; a bad stored key stops the start', async () => {
    const t = await createTestStorage();
    try {
      expect(await loadFederationJwks(t.storage)).toEqual([]);
      const pair = generateKeyPairSync('ed25519');
      const x = pair.publicKey.export({ format: 'jwk' }).x as string;
      const priv = Buffer.from(pair.privateKey.export({ format: 'jwk' }).d as string, 'base64url');
      const kid = 'https://sync.example.com/.well-known/jwks.json#fed-a';
      await t.storage.ensureFederationKey(kid, priv, Buffer.from(x, 'base64url'));
      expect(await loadFederationJwks(t.storage)).toEqual([
        { kid, kty: 'OKP', alg: 'EdDSA', use: 'federation', crv: 'Ed25519', x },
      ]);
      const short = { listFederationPublicKeys: async () => [{ kid: 'k', publicKey: new Uint8Array(31) }] };
      await expect(loadFederationJwks(short)).rejects.toThrow(
        'stored federation public key "k" is not 32 bytes',
      );
    } finally {
      await t.close();
    }
  });

  it('R23 the embedded database opens in its data directory (created), answers SQL and closes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'less-sync-pglite-'));
    try {
      const db = await openServerDatabase(
        { kind: 'embedded', dir: join(dir, 'data', 'pglite') },
        pino({ level: 'silent' }),
      );
      expect(db.kind).toBe('embedded');
      expect(db.poolStats).toBeUndefined();
      expect((await db.executor.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000); // a cold on-disk PGlite start is slow on a loaded 2-core machine

  it('CONFIG-03 an unreachable PostgreSQL fails the start with "database error"', async () => {
    await expect(
      openServerDatabase(
        {
          kind: 'postgres',
          url: 'postgres://nobody@127.0.0.1:1/none',
          sslMode: undefined,
          searchPath: undefined,
        },
        pino({ level: 'silent' }),
      ),
    ).rejects.toThrow(/^database error: /);
  });
});
