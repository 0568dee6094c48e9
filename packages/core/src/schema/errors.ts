/** Why a decoded CBOR value does not fit a protocol type. */
export type ProtocolDecodeReason =
  | 'missing' // a required key is absent
  | 'null' // null where the rule does not allow it
  | 'wrong_type'
  | 'out_of_range' // integer outside i32/i64 (or outside JS safe integers for i64)
  | 'invalid_text'; // text no storage can hold (a NUL character): answered as bad_request

/** Field path bookkeeping shared by both protocol errors; segments are prepended while unwinding. */
abstract class FieldPathError extends Error {
  private readonly segments: string[] = [];

  constructor(readonly detail: string) {
    super(detail);
  }

  /** Dotted path of the offending field (e.g. `changes[2].expected_cursor`), relative to the root. */
  get path(): string {
    let out = '';
    for (const s of this.segments) out += s.startsWith('[') || out === '' ? s : `.${s}`;
    return out;
  }

  /** Prepend a key (`name`) or an index (`[3]`) as the error passes through a container. */
  within(segment: string): this {
    this.segments.unshift(segment);
    this.message = `${this.path}: ${this.detail}`;
    return this;
  }
}

/**
 * A well-formed CBOR value that is not a valid protocol value. The RPC layer maps it to an
 * `invalid_params` error response (PROTO-05).
 */
export class ProtocolDecodeError extends FieldPathError {
  readonly code = 'protocol_decode' as const;
  override readonly name = 'ProtocolDecodeError';
  constructor(
    readonly reason: ProtocolDecodeReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** A value our own code tried to send does not satisfy its protocol type (a server bug, not input). */
export class ProtocolEncodeError extends FieldPathError {
  readonly code = 'protocol_encode' as const;
  override readonly name = 'ProtocolEncodeError';
}
