import { writeValue } from '../cbor/encode.js';
import type { WireValue } from '../cbor/values.js';
import type { CborWriter } from '../cbor/writer.js';
import type { EncodableShape, Shape, StructCodec } from './struct.js';

/**
 * A value ready to be embedded in a frame (`result`, `params`, `data`) without first being encoded
 * separately: the envelope encoder writes it in place.
 */
export class Payload {
  private constructor(private readonly writer: (w: CborWriter) => void) {}

  /** A typed protocol value, written through its codec. */
  static of<S extends Shape>(codec: StructCodec<S>, value: EncodableShape<S>): Payload {
    return new Payload((w) => codec.encode(w, value));
  }

  /** A dynamic value (e.g. a relayed peer result, or `{}`), written as-is. */
  static value(value: WireValue): Payload {
    return new Payload((w) => writeValue(w, value, 0));
  }

  /** @internal Used by the frame encoders. */
  writeTo(w: CborWriter): void {
    this.writer(w);
  }
}
