export { fileBlobKey, validateBlobKey, validateBlobPrefix } from './keys.js';
export { createLocalBlobStore, LocalBlobStore, type LocalBlobStoreOptions } from './local.js';
export {
  createS3BlobStore,
  normalizeS3Endpoint,
  S3BlobStore,
  type S3BlobStoreOptions,
  type S3Logger,
} from './s3.js';
export {
  BlobError,
  type BlobErrorCode,
  type BlobObject,
  type BlobStore,
  type PutOptions,
  type PutOutcome,
} from './types.js';
