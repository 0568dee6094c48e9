import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { arrayOf, bool, bytes, i32, i64, text } from '../../schema/wire-types.js';

const { R, E, F, N } = rule;

/** PROTO-08: one space in a `subscribe` request. */
export const WsSubscribeSpaceCodec = struct('WsSubscribeSpace', {
  id: R(text),
  since: R(i64),
  ucan: E(text),
  token: E(text),
  presence: F(bool),
});
export type WsSubscribeSpace = Decoded<typeof WsSubscribeSpaceCodec>;

export const SubscribeParamsCodec = struct('SubscribeParams', {
  spaces: R(arrayOf(WsSubscribeSpaceCodec)),
});
export type SubscribeParams = Decoded<typeof SubscribeParamsCodec>;

export const WsPresencePeerCodec = struct('WsPresencePeer', {
  peer: R(text),
  data: R(bytes),
});
export type WsPresencePeer = Decoded<typeof WsPresencePeerCodec>;

export const WsSubscribedSpaceCodec = struct('WsSubscribedSpace', {
  id: R(text),
  cursor: R(i64),
  key_generation: R(i32),
  rewrap_epoch: N(i32),
  token: E(text),
  peers: E(arrayOf(WsPresencePeerCodec)),
});
export type WsSubscribedSpace = Decoded<typeof WsSubscribedSpaceCodec>;

/** A per-space failure inside a successful subscribe result; `error` is a PROTO-02 code. */
export const WsSpaceErrorCodec = struct('WsSpaceError', {
  space: R(text),
  error: R(text),
});
export type WsSpaceError = Decoded<typeof WsSpaceErrorCodec>;

export const SubscribeResultCodec = struct('SubscribeResult', {
  spaces: R(arrayOf(WsSubscribedSpaceCodec)),
  errors: E(arrayOf(WsSpaceErrorCodec)),
});
export type SubscribeResult = Decoded<typeof SubscribeResultCodec>;
export type SubscribeResultInit = Encodable<typeof SubscribeResultCodec>;

/** PROTO-09: `unsubscribe` notification params, a plain array of space-id strings. */
export const UnsubscribeParamsCodec = struct('UnsubscribeParams', {
  spaces: R(arrayOf(text)),
});
export type UnsubscribeParams = Decoded<typeof UnsubscribeParamsCodec>;
