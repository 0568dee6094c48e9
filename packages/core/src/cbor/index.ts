export {
  type CborDecodeLimits,
  type CborDecodeOptions,
  type CborEnvelope,
  DEFAULT_DECODE_LIMITS,
  decodeCbor,
  decodeCborEnvelope,
} from './decode.js';
export { encodeCbor } from './encode.js';
export { CborDecodeError, type CborDecodeReason, CborEncodeError, type CborEncodeReason } from './errors.js';
export {
  CborFloat,
  CborMap,
  isWireObject,
  type WireObject,
  type WireScalar,
  type WireValue,
} from './values.js';
