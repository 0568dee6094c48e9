import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, formatFatalError, loadConfig } from '../../src/index.js';
import { load, loadErrors, REFERENCE_ENV } from './helpers.js';

describe('CONFIG-01 every error at once', () => {
  it('CONFIG-01 all bad variables are reported together, in order, each line naming its variable', () => {
    const errors = loadErrors({
      LISTEN_ADDR: 'localhost:1',
      DATABASE_URL: 'mysql://db/x',
      TRUSTED_ISSUERS: 'not-a-url',
      LOG_LEVEL: 'loud',
      PUBLIC_URL: 'x',
    });
    expect(errors).toBeInstanceOf(ConfigError);
    expect(errors.errors.map((e) => e.variable)).toEqual([
      'LISTEN_ADDR',
      'DATABASE_URL',
      'TRUSTED_ISSUERS',
      'LOG_LEVEL',
      'PUBLIC_URL',
    ]);
    const lines = formatFatalError(errors).trimEnd().split('\n');
    expect(lines[0]).toBe('Error: 5 configuration errors:');
    expect(lines).toHaveLength(6);
    for (const [i, name] of [
      'LISTEN_ADDR',
      'DATABASE_URL',
      'TRUSTED_ISSUERS',
      'LOG_LEVEL',
      'PUBLIC_URL',
    ].entries()) {
      expect(lines[i + 1]).toMatch(/^ {2}- /);
      expect(lines[i + 1]).toContain(name);
    }
  });

  it('CONFIG-01 a single error keeps its own message, prefixed with the variable when it does not name it', () => {
    expect(loadErrors({ TRUSTED_ISSUERS: 'not-a-url' }).message).toBe(
      'TRUSTED_ISSUERS: invalid issuer URL "not-a-url": relative URL without a base',
    );
    expect(loadErrors({ DATABASE_URL: 'mysql://x' }).message).toContain('DATABASE_URL');
    expect(loadErrors({ LOG_LEVEL: 'loud' }).message).toBe(
      'invalid LOG_LEVEL value "loud": expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('CONFIG-04 TRUSTED_ISSUERS missing in production is reported beside the other errors', () => {
    const errors = loadErrors({ NODE_ENV: 'production', LISTEN_ADDR: 'bad', MAX_FILE_SIZE: '0' }, {});
    expect(errors.errors.map((e) => e.variable)).toEqual(['LISTEN_ADDR', 'TRUSTED_ISSUERS', 'MAX_FILE_SIZE']);
  });

  it('CONFIG-04 an invalid LISTEN_ADDR outside production does not add a guessed TRUSTED_ISSUERS error', () => {
    expect(loadErrors({ LISTEN_ADDR: 'bad' }, {}).errors.map((e) => e.variable)).toEqual(['LISTEN_ADDR']);
  });
});

describe('CONFIG-12 <SECRET>_FILE variants', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'less-sync-secrets-'));
    await writeFile(join(dir, 'db'), 'postgres://u:p@db.internal/sync\n');
    await writeFile(join(dir, 'key'), `${'ab'.repeat(32)}\r\n\n`);
    await writeFile(join(dir, 's3-id'), 'AKIA-FROM-FILE');
    await writeFile(join(dir, 's3-secret'), 'secret-from-file\n');
    await writeFile(join(dir, 'fst'), 'fst-secret\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('CONFIG-12 every secret can come from a file, trailing newlines removed', () => {
    const config = load(
      {
        DATABASE_URL: undefined,
        DATABASE_URL_FILE: join(dir, 'db'),
        IDENTITY_HASH_KEY_FILE: join(dir, 'key'),
        FILE_STORAGE_BACKEND: 's3',
        FILE_S3_ENDPOINT: 'minio:9000',
        FILE_S3_BUCKET: 'b',
        FILE_S3_ACCESS_KEY_FILE: join(dir, 's3-id'),
        FILE_S3_SECRET_KEY_FILE: join(dir, 's3-secret'),
        FEDERATION_FST_SECRET_FILE: join(dir, 'fst'),
      },
      { TRUSTED_ISSUERS: REFERENCE_ENV.TRUSTED_ISSUERS },
    );
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://u:p@db.internal/sync' });
    expect(Buffer.from(config.identityHashKey.key).toString('hex')).toBe('ab'.repeat(32));
    expect(config.identityHashKey.generated).toBe(false);
    expect(config.fileStorage).toMatchObject({ accessKey: 'AKIA-FROM-FILE', secretKey: 'secret-from-file' });
    expect(config.federation.fstSecret).toBe('fst-secret');
  });

  it('CONFIG-12 both forms set, or an unreadable file, are errors naming the _FILE variable', () => {
    const errors = loadErrors({
      DATABASE_URL_FILE: join(dir, 'db'),
      IDENTITY_HASH_KEY_FILE: join(dir, 'missing'),
    });
    expect(errors.errors.map((e) => e.variable)).toEqual(['DATABASE_URL_FILE', 'IDENTITY_HASH_KEY_FILE']);
    expect(errors.errors[0]?.message).toBe('set either DATABASE_URL or DATABASE_URL_FILE, not both');
    expect(errors.errors[1]?.message).toContain('ENOENT');
  });

  it('CONFIG-12 a non-secret variable has no _FILE form (it is ignored, not read)', () => {
    const config = load({ LOG_LEVEL_FILE: join(dir, 'missing') });
    expect(config.logLevel).toBe('info');
  });

  it('CONFIG-12 the file reader can be replaced (tests, unusual platforms)', () => {
    const config = loadConfig(
      { TRUSTED_ISSUERS: 'https://i.example', DATABASE_URL_FILE: '/run/secrets/db' },
      { readSecretFile: (path: string) => (path === '/run/secrets/db' ? 'postgres://h/d\n' : '') },
    );
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://h/d' });
  });
});
