import { isStorageError, type StorageErrorKind } from '@less-sync/storage';

/** RPC-PUSH-1: storage failures as the `error` of a `{ok:false}` push result. */
const PUSH_ERROR_CODES: Partial<Record<StorageErrorKind, string>> = {
  SpaceNotFound: 'not_found',
  KeyGenerationStale: 'key_generation_stale',
  InvalidRecordId: 'bad_request',
  DuplicateRecordId: 'bad_request',
  BlobTooLarge: 'payload_too_large',
  PushRecordLimitExceeded: 'payload_too_large',
  PushPayloadLimitExceeded: 'payload_too_large',
};

/** The push result code for a storage error; `internal` for everything unexpected. */
export function pushErrorCode(err: unknown): string {
  return (isStorageError(err) && PUSH_ERROR_CODES[err.kind]) || 'internal';
}
