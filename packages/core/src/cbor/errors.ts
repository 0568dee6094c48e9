/** Why a byte sequence was refused by the bounded decoder. */
export type CborDecodeReason =
  | 'not_bytes'
  | 'empty'
  | 'too_large'
  | 'too_deep'
  | 'too_many_items'
  | 'truncated'
  | 'trailing_bytes'
  | 'malformed'
  | 'tag'
  | 'indefinite_string'
  | 'half_float'
  | 'invalid_utf8'
  | 'undefined_value'
  | 'unexpected_break'
  | 'duplicate_key'
  | 'integer_overflow'; // only for CborValue: outside i64

/** A CBOR error whose machine-readable `reason` says why; subclasses add their `code` and `name`. */
abstract class CborError<Reason extends string> extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
  }
}

/** The only error the CBOR decoder ever throws, whatever the input. */
export class CborDecodeError extends CborError<CborDecodeReason> {
  readonly code = 'cbor_decode' as const;
  override readonly name = 'CborDecodeError';
}

export type CborEncodeReason = 'unsupported_type' | 'integer_range' | 'too_deep';

/** Thrown when a value cannot be written as CBOR (a programming error, never client input). */
export class CborEncodeError extends CborError<CborEncodeReason> {
  readonly code = 'cbor_encode' as const;
  override readonly name = 'CborEncodeError';
}
