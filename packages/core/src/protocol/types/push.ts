import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { arrayOf, bool, bytes, i64, text } from '../../schema/wire-types.js';

const { R, E, Z, N } = rule;

/** PROTO-10: one change in a push. No `blob` means delete. `dek` is the wrapped DEK. */
export const WsPushChangeCodec = struct('WsPushChange', {
  id: R(text),
  blob: N(bytes),
  expected_cursor: R(i64),
  dek: N(bytes),
});
export type WsPushChange = Decoded<typeof WsPushChangeCodec>;

export const PushParamsCodec = struct('PushParams', {
  space: R(text),
  ucan: E(text),
  changes: R(arrayOf(WsPushChangeCodec)),
});
export type PushParams = Decoded<typeof PushParamsCodec>;
export type PushParamsInit = Encodable<typeof PushParamsCodec>;

/** Success `{ok:true, cursor}`; failure `{ok:false, error:<PROTO-02 code>}` (cursor 0 is omitted). */
export const PushRpcResultCodec = struct('PushRpcResult', {
  ok: R(bool),
  cursor: Z(i64),
  error: E(text),
});
export type PushRpcResult = Decoded<typeof PushRpcResultCodec>;
export type PushRpcResultInit = Encodable<typeof PushRpcResultCodec>;
