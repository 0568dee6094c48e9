import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { bool, i32, text } from '../../schema/wire-types.js';

const { R, E, F, N } = rule;

/** PROTO-18: `epoch.begin`. */
export const EpochBeginParamsCodec = struct('EpochBeginParams', {
  space: R(text),
  ucan: E(text),
  epoch: R(i32),
  set_min_key_generation: F(bool),
});
export type EpochBeginParams = Decoded<typeof EpochBeginParamsCodec>;

export const EpochBeginResultCodec = struct('EpochBeginResult', {
  epoch: R(i32),
});
export type EpochBeginResult = Decoded<typeof EpochBeginResultCodec>;

/** A lost epoch race, sent as a successful result (R3 fixes the `error` string to `epoch_conflict`). */
export const EpochConflictResultCodec = struct('EpochConflictResult', {
  error: R(text),
  current_epoch: R(i32),
  rewrap_epoch: N(i32),
});
export type EpochConflictResult = Decoded<typeof EpochConflictResultCodec>;
export type EpochConflictResultInit = Encodable<typeof EpochConflictResultCodec>;

export const EpochCompleteParamsCodec = struct('EpochCompleteParams', {
  space: R(text),
  ucan: E(text),
  epoch: R(i32),
});
export type EpochCompleteParams = Decoded<typeof EpochCompleteParamsCodec>;
