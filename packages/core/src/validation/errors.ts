export type ValidationErrorKind =
  | 'invalid_record_id'
  | 'invalid_file_id'
  | 'blob_too_large'
  | 'file_too_large';

const MIB = 1024 * 1024;

/** VALID-03: validation failures with the reference's exact messages. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';

  private constructor(
    readonly kind: ValidationErrorKind,
    /** Whole MiB of the exceeded limit (size kinds only). */
    readonly limitMb?: number,
  ) {
    super(messageFor(kind, limitMb));
  }

  static invalidRecordId(): ValidationError {
    return new ValidationError('invalid_record_id');
  }

  static invalidFileId(): ValidationError {
    return new ValidationError('invalid_file_id');
  }

  /** `blob exceeds <n> MB limit`, n = limitBytes / 1 MiB truncated toward zero. */
  static blobTooLarge(limitBytes: number): ValidationError {
    return new ValidationError('blob_too_large', Math.trunc(limitBytes / MIB));
  }

  /** `file exceeds <n> MB limit`, n = limitBytes / 1 MiB truncated toward zero. */
  static fileTooLarge(limitBytes: number): ValidationError {
    return new ValidationError('file_too_large', Math.trunc(limitBytes / MIB));
  }

  equals(other: ValidationError): boolean {
    return this.kind === other.kind && this.limitMb === other.limitMb;
  }
}

function messageFor(kind: ValidationErrorKind, limitMb: number | undefined): string {
  switch (kind) {
    case 'invalid_record_id':
      return 'invalid record ID: must be valid UUID format';
    case 'invalid_file_id':
      return 'invalid file ID: must be valid UUID format';
    case 'blob_too_large':
      return `blob exceeds ${limitMb} MB limit`;
    case 'file_too_large':
      return `file exceeds ${limitMb} MB limit`;
  }
}
