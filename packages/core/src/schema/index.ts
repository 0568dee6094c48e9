export { ProtocolDecodeError, type ProtocolDecodeReason, ProtocolEncodeError } from './errors.js';
export { Payload } from './payload.js';
export {
  type Decoded,
  type DecodedShape,
  type Encodable,
  type EncodableShape,
  type Field,
  type Rule,
  rule,
  type Shape,
  StructCodec,
  struct,
} from './struct.js';
export {
  anyMap,
  anyValue,
  arrayOf,
  bool,
  bytes,
  type Int64,
  i32,
  i64,
  text,
  type WireType,
} from './wire-types.js';
