import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { arrayOf, bool, bytes, i32, i64, text } from '../../schema/wire-types.js';

const { R, E, Z } = rule;

/** PROTO-19: `deks.get`. */
export const DeksGetParamsCodec = struct('DeksGetParams', {
  space: R(text),
  ucan: E(text),
  since: Z(i64),
});
export type DeksGetParams = Decoded<typeof DeksGetParamsCodec>;

/** One record DEK (also the `deks.record` chunk payload, R4). */
export const DekRecordCodec = struct('DekRecord', {
  id: R(text),
  dek: R(bytes),
  seq: R(i64),
});
export type DekRecord = Decoded<typeof DekRecordCodec>;

export const DeksGetResultCodec = struct('DeksGetResult', {
  deks: R(arrayOf(DekRecordCodec)),
});
export type DeksGetResult = Decoded<typeof DeksGetResultCodec>;
export type DeksGetResultInit = Encodable<typeof DeksGetResultCodec>;

export const DekRewrapEntryCodec = struct('DekRewrapEntry', {
  id: R(text),
  dek: R(bytes),
});
export type DekRewrapEntry = Decoded<typeof DekRewrapEntryCodec>;

export const DeksRewrapParamsCodec = struct('DeksRewrapParams', {
  space: R(text),
  ucan: E(text),
  deks: R(arrayOf(DekRewrapEntryCodec)),
});
export type DeksRewrapParams = Decoded<typeof DeksRewrapParamsCodec>;

export const DeksRewrapResultCodec = struct('DeksRewrapResult', {
  ok: R(bool),
  count: R(i32),
});
export type DeksRewrapResult = Decoded<typeof DeksRewrapResultCodec>;

/** One file DEK (also the `deks.files.record` chunk payload, R4). */
export const FileDekRecordCodec = struct('FileDekRecord', {
  id: R(text),
  dek: R(bytes),
  cursor: R(i64),
});
export type FileDekRecord = Decoded<typeof FileDekRecordCodec>;

export const FileDeksGetParamsCodec = struct('FileDeksGetParams', {
  space: R(text),
  ucan: E(text),
  since: Z(i64),
});
export type FileDeksGetParams = Decoded<typeof FileDeksGetParamsCodec>;

export const FileDeksGetResultCodec = struct('FileDeksGetResult', {
  deks: R(arrayOf(FileDekRecordCodec)),
});
export type FileDeksGetResult = Decoded<typeof FileDeksGetResultCodec>;
export type FileDeksGetResultInit = Encodable<typeof FileDeksGetResultCodec>;

export const FileDekRewrapEntryCodec = struct('FileDekRewrapEntry', {
  id: R(text),
  dek: R(bytes),
});
export type FileDekRewrapEntry = Decoded<typeof FileDekRewrapEntryCodec>;

export const FileDeksRewrapParamsCodec = struct('FileDeksRewrapParams', {
  space: R(text),
  ucan: E(text),
  deks: R(arrayOf(FileDekRewrapEntryCodec)),
});
export type FileDeksRewrapParams = Decoded<typeof FileDeksRewrapParamsCodec>;

export const FileDeksRewrapResultCodec = struct('FileDeksRewrapResult', {
  ok: R(bool),
  count: R(i32),
});
export type FileDeksRewrapResult = Decoded<typeof FileDeksRewrapResultCodec>;
