import { isHyphenatedHex } from '../spaceid/uuid.js';
import { ValidationError } from './errors.js';

/**
 * The strict record/file id check (VALID-02): exactly 36 bytes, `-` at 8/13/18/23, ASCII hex elsewhere
 * (any case). No version or variant check, so the nil and max UUIDs pass.
 */
export function isHyphenatedUuid(id: string): boolean {
  return isHyphenatedHex(id, true);
}

/** Throws {@link ValidationError} `invalid_record_id` unless `id` is a hyphenated UUID. */
export function validateRecordId(id: string): void {
  if (!isHyphenatedUuid(id)) throw ValidationError.invalidRecordId();
}

/** Throws {@link ValidationError} `invalid_file_id` unless `id` is a hyphenated UUID. */
export function validateFileId(id: string): void {
  if (!isHyphenatedUuid(id)) throw ValidationError.invalidFileId();
}
