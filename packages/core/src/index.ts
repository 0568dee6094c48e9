/**
 * Public surface of @less-sync/core (PROTO-23): wire constants, the bounded CBOR codec, protocol types
 * and their codecs, frame envelopes, space-id helpers and validation helpers. No side effects on import.
 */

export * from './cbor/index.js';
export * from './protocol/cbor-value.js';
export * from './protocol/constants.js';
export * from './protocol/frames.js';
export * from './protocol/methods.js';
export * from './protocol/rpc-error.js';
export * from './protocol/types/index.js';
export * from './schema/index.js';
export * from './spaceid/index.js';
export * from './validation/index.js';
