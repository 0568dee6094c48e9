import { type BlobStore, createLocalBlobStore, createS3BlobStore } from '@less-sync/storage';
import type { FileStorageConfig } from '../config/types.js';

/**
 * CONFIG-07 / FILES-12 / FILES-13: the local directory (created) or the S3 client (no network call
 * while building it), or none when file storage is off.
 */
export async function openBlobStore(config: FileStorageConfig): Promise<BlobStore | undefined> {
  switch (config.kind) {
    case 'none':
      return undefined;
    case 'local':
      try {
        return await createLocalBlobStore({ root: config.path });
      } catch (error) {
        throw new Error(
          `failed to initialize local file storage at ${config.path}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    case 's3':
      try {
        return createS3BlobStore({
          endpoint: config.endpoint,
          bucket: config.bucket,
          accessKeyId: config.accessKey,
          secretAccessKey: config.secretKey,
          region: config.region,
          useSsl: config.useSsl,
          forcePathStyle: config.forcePathStyle,
        });
      } catch (error) {
        throw new Error(`failed to initialize S3 object store: ${(error as Error).message}`, {
          cause: error,
        });
      }
  }
}
