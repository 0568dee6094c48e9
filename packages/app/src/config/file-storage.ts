import { joinDir } from './database.js';
import { quote, readBoolean, readUnsigned } from './env.js';
import { ConfigError } from './errors.js';
import type { Env, FileStorageConfig } from './types.js';

/** R21: 100 MiB (the reference meant this too; its framework cap made it 2 MiB by accident). */
export const DEFAULT_MAX_FILE_SIZE = 104_857_600;

export interface FileStorageResult {
  readonly fileStorage: FileStorageConfig;
  readonly warning: string | undefined;
}

/**
 * CONFIG-07 / CONFIG-08. The backend is `FILE_STORAGE_BACKEND` when set (even empty), else `FILE_STORAGE`.
 * When neither is set the default depends on the database (R23): with the embedded database the server
 * is a one-command install, so files go to `<dataDir>/files`; with a real `DATABASE_URL` it stays the
 * reference's `none` (an operated deployment may run on an ephemeral disk or several instances, where
 * silently local blobs would be lost), with a warning saying how to turn files on.
 */
export function parseFileStorage(
  env: Env,
  defaults: { dataDir: string; embeddedDatabase: boolean },
): FileStorageResult {
  const explicit = env.FILE_STORAGE_BACKEND ?? env.FILE_STORAGE;
  if (explicit === undefined) {
    if (defaults.embeddedDatabase) {
      return { fileStorage: { kind: 'local', path: localPath(env, defaults.dataDir) }, warning: undefined };
    }
    return {
      fileStorage: { kind: 'none' },
      warning:
        'file storage is disabled (FILE_STORAGE_BACKEND is not set): file uploads are refused; ' +
        'set FILE_STORAGE_BACKEND=local or s3 to enable them, or =none to silence this warning',
    };
  }
  switch (explicit) {
    case 'none':
      return { fileStorage: { kind: 'none' }, warning: undefined };
    case 'local':
    case 'fs':
      return { fileStorage: { kind: 'local', path: localPath(env, defaults.dataDir) }, warning: undefined };
    case 's3':
      return { fileStorage: parseS3(env), warning: undefined };
    default:
      throw new ConfigError(
        'FILE_STORAGE_BACKEND',
        `invalid FILE_STORAGE_BACKEND ${quote(explicit)}: expected "none", "local", or "s3"`,
      );
  }
}

/** `FILE_STORAGE_PATH` when set, else `FILE_FS_PATH`, else `<dataDir>/files`; a set-but-empty path is fatal. */
function localPath(env: Env, dataDir: string): string {
  const name = env.FILE_STORAGE_PATH !== undefined ? 'FILE_STORAGE_PATH' : 'FILE_FS_PATH';
  const path = env[name];
  if (path === undefined) return joinDir(dataDir, 'files');
  if (path.trim() === '') throw new ConfigError(name, `${name} must not be empty`);
  return path;
}

function parseS3(env: Env): FileStorageConfig {
  const endpoint = requiredS3(env, 'FILE_S3_ENDPOINT');
  const accessKey = optionalS3(env, 'FILE_S3_ACCESS_KEY');
  const secretKey = optionalS3(env, 'FILE_S3_SECRET_KEY');
  const bucket = requiredS3(env, 'FILE_S3_BUCKET');
  // Static keys come as a pair; neither means the SDK's standard credential chain.
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    const missing = accessKey === undefined ? 'FILE_S3_ACCESS_KEY' : 'FILE_S3_SECRET_KEY';
    throw new ConfigError(
      missing,
      `${missing} is required when the other static S3 key is set (or unset both to use the AWS credential chain)`,
    );
  }
  // Reference: only an unset region gets the default; an empty one reached the signer and failed
  // every request, so empty takes the default here too.
  const region =
    env.FILE_S3_REGION === undefined || env.FILE_S3_REGION === '' ? 'us-east-1' : env.FILE_S3_REGION;
  // Only the exact string `false` turns TLS off (CONFIG-08).
  const useSsl = env.FILE_S3_USE_SSL !== 'false';
  const forcePathStyle = readBoolean(env, 'FILE_S3_FORCE_PATH_STYLE', false);
  return { kind: 's3', endpoint, accessKey, secretKey, bucket, region, useSsl, forcePathStyle };
}

function optionalS3(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function requiredS3(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new ConfigError(name, `${name} is required when FILE_STORAGE_BACKEND=s3`);
  }
  return value;
}

/** R21 `MAX_FILE_SIZE`: bytes, default 100 MiB. */
export function parseMaxFileSize(env: Env): number {
  return readUnsigned(env, 'MAX_FILE_SIZE', DEFAULT_MAX_FILE_SIZE);
}
