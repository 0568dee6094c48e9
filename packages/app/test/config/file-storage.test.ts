import { describe, expect, it } from 'vitest';
import { load, loadError } from './helpers.js';

const S3 = {
  FILE_STORAGE_BACKEND: 's3',
  FILE_S3_ENDPOINT: 'minio.internal:9000',
  FILE_S3_ACCESS_KEY: 'access',
  FILE_S3_SECRET_KEY: 'secret',
  FILE_S3_BUCKET: 'betterbase-sync',
};

describe('file storage (CONFIG-07, CONFIG-08, R21, R23)', () => {
  it('CONFIG-07 parse_file_storage_defaults_to_disabled: with a real DATABASE_URL the default stays none', () => {
    const config = load();
    expect(config.fileStorage).toEqual({ kind: 'none' });
    expect(config.warnings.some((w) => w.startsWith('file storage is disabled'))).toBe(true);
  });

  it('CONFIG-07 an explicit none is quiet', () => {
    const config = load({ FILE_STORAGE_BACKEND: 'none' });
    expect(config.fileStorage).toEqual({ kind: 'none' });
    expect(config.warnings.some((w) => w.startsWith('file storage'))).toBe(false);
  });

  it('R23 with the embedded database files default to local storage under the data directory', () => {
    expect(load({ DATABASE_URL: undefined }).fileStorage).toEqual({ kind: 'local', path: './data/files' });
    expect(load({ DATABASE_URL: undefined, LESS_SYNC_DATA_DIR: '/srv/ls' }).fileStorage).toEqual({
      kind: 'local',
      path: '/srv/ls/files',
    });
    expect(load({ DATABASE_URL: undefined, FILE_STORAGE_PATH: '/blobs' }).fileStorage).toEqual({
      kind: 'local',
      path: '/blobs',
    });
    expect(load({ DATABASE_URL: undefined, FILE_STORAGE_BACKEND: 'none' }).fileStorage).toEqual({
      kind: 'none',
    });
  });

  it('CONFIG-07 parse_file_storage_local_uses_default_path', () => {
    expect(load({ FILE_STORAGE_BACKEND: 'local' }).fileStorage).toEqual({
      kind: 'local',
      path: './data/files',
    });
  });

  it('CONFIG-07 parse_file_storage_local_uses_explicit_path', () => {
    const config = load({ FILE_STORAGE_BACKEND: 'local', FILE_STORAGE_PATH: '/tmp/less-sync-files' });
    expect(config.fileStorage).toEqual({ kind: 'local', path: '/tmp/less-sync-files' });
  });

  it('CONFIG-07 parse_file_storage_supports_fs_alias', () => {
    const config = load({ FILE_STORAGE_BACKEND: 'fs', FILE_STORAGE_PATH: '/tmp/less-sync-files' });
    expect(config.fileStorage).toEqual({ kind: 'local', path: '/tmp/less-sync-files' });
  });

  it('CONFIG-07 parse_file_storage_rejects_invalid_backend (gcs)', () => {
    const error = loadError({ FILE_STORAGE_BACKEND: 'gcs' });
    expect(error.variable).toBe('FILE_STORAGE_BACKEND');
    expect(error.message).toBe('invalid FILE_STORAGE_BACKEND "gcs": expected "none", "local", or "s3"');
  });

  it('CONFIG-07 empty and differently-cased backends are fatal (case-sensitive, no trimming)', () => {
    expect(loadError({ FILE_STORAGE_BACKEND: '' }).message).toBe(
      'invalid FILE_STORAGE_BACKEND "": expected "none", "local", or "s3"',
    );
    expect(loadError({ FILE_STORAGE_BACKEND: 'Local' }).message).toContain('"Local"');
    expect(loadError({ FILE_STORAGE_BACKEND: ' s3' }).message).toContain('" s3"');
  });

  it('CONFIG-07 FILE_STORAGE is the alias used only when FILE_STORAGE_BACKEND is unset', () => {
    expect(load({ FILE_STORAGE: 'local' }).fileStorage.kind).toBe('local');
    expect(load({ FILE_STORAGE: 'local', FILE_STORAGE_BACKEND: 'none' }).fileStorage.kind).toBe('none');
    // Set-but-empty FILE_STORAGE_BACKEND still wins over the alias, and is invalid.
    expect(loadError({ FILE_STORAGE: 'local', FILE_STORAGE_BACKEND: '' }).variable).toBe(
      'FILE_STORAGE_BACKEND',
    );
  });

  it('CONFIG-07 FILE_FS_PATH is the alias used only when FILE_STORAGE_PATH is unset', () => {
    expect(load({ FILE_STORAGE_BACKEND: 'local', FILE_FS_PATH: '/a' }).fileStorage).toEqual({
      kind: 'local',
      path: '/a',
    });
    expect(
      load({ FILE_STORAGE_BACKEND: 'local', FILE_FS_PATH: '/a', FILE_STORAGE_PATH: '/b' }).fileStorage,
    ).toEqual({ kind: 'local', path: '/b' });
  });

  it('CONFIG-07 a set-but-empty path is fatal at start (the reference failed creating the directory)', () => {
    expect(loadError({ FILE_STORAGE_BACKEND: 'local', FILE_STORAGE_PATH: '' }).message).toBe(
      'FILE_STORAGE_PATH must not be empty',
    );
    expect(loadError({ FILE_STORAGE_BACKEND: 'fs', FILE_FS_PATH: ' ' }).message).toBe(
      'FILE_FS_PATH must not be empty',
    );
  });

  it('CONFIG-07 variables of the non-selected backend are ignored', () => {
    const config = load({ FILE_STORAGE_BACKEND: 'local', FILE_S3_ENDPOINT: '' });
    expect(config.fileStorage.kind).toBe('local');
    expect(load({ ...S3, FILE_STORAGE_PATH: '' }).fileStorage.kind).toBe('s3');
  });

  it('CONFIG-08 parse_file_storage_s3_defaults_region_and_ssl', () => {
    expect(load(S3).fileStorage).toEqual({
      kind: 's3',
      endpoint: 'minio.internal:9000',
      accessKey: 'access',
      secretKey: 'secret',
      bucket: 'betterbase-sync',
      region: 'us-east-1',
      useSsl: true,
      forcePathStyle: false,
    });
  });

  it('CONFIG-08 no static keys: the AWS credential chain; one key alone names the missing one', () => {
    const chain = load({ ...S3, FILE_S3_ACCESS_KEY: undefined, FILE_S3_SECRET_KEY: ' ' }).fileStorage;
    expect(chain).toMatchObject({ kind: 's3', accessKey: undefined, secretKey: undefined });
    const error = loadError({ ...S3, FILE_S3_SECRET_KEY: undefined });
    expect(error.variable).toBe('FILE_S3_SECRET_KEY');
    expect(error.message).toContain('AWS credential chain');
    expect(loadError({ ...S3, FILE_S3_ACCESS_KEY: '' }).variable).toBe('FILE_S3_ACCESS_KEY');
  });

  it('CONFIG-08 FILE_S3_FORCE_PATH_STYLE turns path-style on; default virtual-hosted; bad value named', () => {
    expect(load({ ...S3, FILE_S3_FORCE_PATH_STYLE: 'true' }).fileStorage).toMatchObject({
      forcePathStyle: true,
    });
    expect(load({ ...S3, FILE_S3_FORCE_PATH_STYLE: 'false' }).fileStorage).toMatchObject({
      forcePathStyle: false,
    });
    expect(loadError({ ...S3, FILE_S3_FORCE_PATH_STYLE: 'maybe' }).variable).toBe('FILE_S3_FORCE_PATH_STYLE');
  });

  it('CONFIG-08 parse_file_storage_s3_supports_region_and_ssl_override (auto, false)', () => {
    expect(load({ ...S3, FILE_S3_REGION: 'auto', FILE_S3_USE_SSL: 'false' }).fileStorage).toMatchObject({
      region: 'auto',
      useSsl: false,
    });
  });

  it('CONFIG-08 only the exact string "false" disables TLS', () => {
    for (const value of ['False', '0', '', 'no', ' false']) {
      expect(load({ ...S3, FILE_S3_USE_SSL: value }).fileStorage).toMatchObject({ useSsl: true });
    }
  });

  it('CONFIG-08 S3 values are trimmed; the region is kept as written; empty region takes the default', () => {
    const config = load({
      ...S3,
      FILE_S3_ENDPOINT: ' https://s3.example.com ',
      FILE_S3_BUCKET: ' b ',
      FILE_S3_REGION: ' eu-west-1',
    });
    expect(config.fileStorage).toMatchObject({
      endpoint: 'https://s3.example.com',
      bucket: 'b',
      region: ' eu-west-1',
    });
    expect(load({ ...S3, FILE_S3_REGION: '' }).fileStorage).toMatchObject({ region: 'us-east-1' });
  });

  it('CONFIG-08 parse_file_storage_s3_requires_endpoint', () => {
    const error = loadError({ ...S3, FILE_S3_ENDPOINT: undefined });
    expect(error.variable).toBe('FILE_S3_ENDPOINT');
    expect(error.message).toBe('FILE_S3_ENDPOINT is required when FILE_STORAGE_BACKEND=s3');
  });

  it('CONFIG-08 required S3 variables are checked in order ENDPOINT, BUCKET', () => {
    const names = ['FILE_S3_ENDPOINT', 'FILE_S3_BUCKET'];
    const blank = Object.fromEntries(names.map((name) => [name, '  ']));
    for (const name of names) {
      expect(loadError({ ...S3, ...blank }).message).toBe(`${name} is required when FILE_STORAGE_BACKEND=s3`);
      delete blank[name];
    }
    expect(load({ ...S3, ...blank }).fileStorage.kind).toBe('s3');
  });

  it('R21 CONFIG-11 MAX_FILE_SIZE defaults to 100 MiB and is configurable', () => {
    expect(load().maxFileSize).toBe(104_857_600);
    expect(load({ MAX_FILE_SIZE: ' 2097152 ' }).maxFileSize).toBe(2_097_152);
    expect(load({ MAX_FILE_SIZE: '' }).maxFileSize).toBe(104_857_600);
  });

  it('R21 MAX_FILE_SIZE must be a positive integer', () => {
    expect(loadError({ MAX_FILE_SIZE: '0' }).message).toBe('MAX_FILE_SIZE must be greater than zero');
    expect(loadError({ MAX_FILE_SIZE: '10MB' }).message).toBe(
      'invalid MAX_FILE_SIZE value "10MB": invalid digit found in string',
    );
    expect(loadError({ MAX_FILE_SIZE: '-1' }).variable).toBe('MAX_FILE_SIZE');
  });
});
