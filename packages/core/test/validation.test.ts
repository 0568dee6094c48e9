import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_BLOB_SIZE,
  DEFAULT_MAX_FILE_SIZE,
  isHyphenatedUuid,
  ValidationError,
  validateFileId,
  validateRecordId,
} from '../src/index.js';

describe('VALID-01 size constants', () => {
  it('VALID-01 max blob 5 MiB and max file 100 MiB', () => {
    expect(DEFAULT_MAX_BLOB_SIZE).toBe(5_242_880);
    expect(DEFAULT_MAX_FILE_SIZE).toBe(104_857_600);
  });
});

describe('VALID-02 hyphenated UUID check', () => {
  it('VALID-02 record ids (validate_record_id_cases)', () => {
    for (const ok of [
      '019400e8-7b5d-7000-8000-000000000001',
      'd205899b-b9fb-4d6e-8159-8578661a574c',
      '5a4bfc46-90cf-517c-9cd7-c5ca19f890d3',
      'D205899B-B9FB-4D6E-8159-8578661A574C',
    ]) {
      expect(() => validateRecordId(ok)).not.toThrow();
    }
    for (const bad of [
      'invalid-id',
      '',
      '019400e87b5d70008000000000000001',
      '019400e8-7b5d-7000-8000',
      '019400e8-7b5d-7000-8000-000000000001x',
    ]) {
      expect(() => validateRecordId(bad)).toThrow('invalid record ID: must be valid UUID format');
    }
  });

  it('VALID-02 file ids, nil and max included (validate_file_id_cases)', () => {
    for (const ok of [
      '019400e8-7b5d-7000-8000-000000000001',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    ]) {
      expect(() => validateFileId(ok)).not.toThrow();
    }
    for (const bad of ['abc', 'not-a-valid-uuid', '']) {
      expect(() => validateFileId(bad)).toThrow('invalid file ID: must be valid UUID format');
    }
  });

  it('VALID-02 braced, urn, whitespace, misplaced dashes and non-ASCII are refused', () => {
    const base = '019400e8-7b5d-7000-8000-000000000001';
    for (const bad of [
      `{${base}}`,
      `urn:uuid:${base}`,
      ` ${base.slice(1)}`,
      `${base.slice(0, 35)} `,
      '019400e87-b5d-7000-8000-000000000001',
      '019400e8-7b5d-7000-8000-00000000000é',
      '019400e8-7b5d-7000-8000-00000000000g',
      '019400e8-7b5d-7000-8000-00000000000/',
      '019400e8-7b5d-7000-8000-00000000000:',
      '019400e8-7b5d-7000-8000-00000000000G',
      '019400e8-7b5d-7000-8000-00000000000`',
    ]) {
      expect(isHyphenatedUuid(bad)).toBe(false);
    }
  });
});

describe('VALID-03 ValidationError', () => {
  it('VALID-03 size errors truncate to whole MB', () => {
    expect(ValidationError.blobTooLarge(5_242_880).message).toBe('blob exceeds 5 MB limit');
    expect(ValidationError.fileTooLarge(104_857_600).message).toBe('file exceeds 100 MB limit');
    expect(ValidationError.blobTooLarge(1_048_575).message).toBe('blob exceeds 0 MB limit');
    expect(ValidationError.blobTooLarge(5_242_880).limitMb).toBe(5);
  });

  it('VALID-03 kinds and equality', () => {
    const a = ValidationError.invalidRecordId();
    expect(a.kind).toBe('invalid_record_id');
    expect(a.equals(ValidationError.invalidRecordId())).toBe(true);
    expect(a.equals(ValidationError.invalidFileId())).toBe(false);
    expect(
      ValidationError.blobTooLarge(5 * 1024 * 1024).equals(ValidationError.blobTooLarge(5 * 1024 * 1024 + 1)),
    ).toBe(true);
    expect(ValidationError.blobTooLarge(1).equals(ValidationError.fileTooLarge(1))).toBe(false);
    expect(a).toBeInstanceOf(Error);
  });
});
