import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { arrayOf, bool, bytes, i32, i64, text } from '../../schema/wire-types.js';

const { R, E, Z, F, N } = rule;

/** PROTO-11: one space in a `pull` request. */
export const WsPullSpaceCodec = struct('WsPullSpace', {
  id: R(text),
  since: R(i64),
  ucan: E(text),
});
export type WsPullSpace = Decoded<typeof WsPullSpaceCodec>;

export const PullParamsCodec = struct('PullParams', {
  spaces: R(arrayOf(WsPullSpaceCodec)),
});
export type PullParams = Decoded<typeof PullParamsCodec>;

/** Chunk `pull.begin`. */
export const WsPullBeginDataCodec = struct('WsPullBeginData', {
  space: R(text),
  prev: R(i64),
  cursor: R(i64),
  key_generation: R(i32),
  rewrap_epoch: N(i32),
});
export type WsPullBeginData = Decoded<typeof WsPullBeginDataCodec>;
export type WsPullBeginDataInit = Encodable<typeof WsPullBeginDataCodec>;

/** Chunk `pull.record`. */
export const WsPullRecordDataCodec = struct('WsPullRecordData', {
  space: R(text),
  id: R(text),
  blob: N(bytes),
  cursor: R(i64),
  dek: N(bytes),
  deleted: F(bool),
});
export type WsPullRecordData = Decoded<typeof WsPullRecordDataCodec>;
export type WsPullRecordDataInit = Encodable<typeof WsPullRecordDataCodec>;

/** Chunk `pull.commit`; `count` = entry chunks actually sent for the space. */
export const WsPullCommitDataCodec = struct('WsPullCommitData', {
  space: R(text),
  prev: R(i64),
  cursor: R(i64),
  count: R(i32),
});
export type WsPullCommitData = Decoded<typeof WsPullCommitDataCodec>;

/** Chunk `pull.file`. Note `cursor` comes after `dek` here. */
export const WsPullFileDataCodec = struct('WsPullFileData', {
  space: R(text),
  id: R(text),
  record_id: R(text),
  size: Z(i64),
  dek: N(bytes),
  cursor: R(i64),
  deleted: F(bool),
});
export type WsPullFileData = Decoded<typeof WsPullFileDataCodec>;
export type WsPullFileDataInit = Encodable<typeof WsPullFileDataCodec>;

/** Terminal result of a pull: `{_chunks}` = total chunks sent. */
export const PullResultCodec = struct('PullResult', {
  _chunks: R(i32),
});
export type PullResult = Decoded<typeof PullResultCodec>;
