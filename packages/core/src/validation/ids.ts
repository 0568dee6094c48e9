import { ValidationError } from './errors.js';

/**
 * The strict record/file id check (VALID-02): exactly 36 bytes, `-` at 8/13/18/23, ASCII hex elsewhere
 * (any case). No version or variant check, so the nil and max UUIDs pass.
 */
export function isHyphenatedUuid(id: string): boolean {
  if (id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) {
      return false;
    }
  }
  return true;
}

/** Throws {@link ValidationError} `invalid_record_id` unless `id` is a hyphenated UUID. */
export function validateRecordId(id: string): void {
  if (!isHyphenatedUuid(id)) throw ValidationError.invalidRecordId();
}

/** Throws {@link ValidationError} `invalid_file_id` unless `id` is a hyphenated UUID. */
export function validateFileId(id: string): void {
  if (!isHyphenatedUuid(id)) throw ValidationError.invalidFileId();
}
