import { type Decoded, rule, struct } from '../../schema/struct.js';
import { bytes, i32, text } from '../../schema/wire-types.js';

const { R } = rule;

/** PROTO-16: `space.create`. */
export const SpaceCreateParamsCodec = struct('SpaceCreateParams', {
  id: R(text),
  root_public_key: R(bytes),
});
export type SpaceCreateParams = Decoded<typeof SpaceCreateParamsCodec>;

export const SpaceCreateResultCodec = struct('SpaceCreateResult', {
  id: R(text),
  key_generation: R(i32),
});
export type SpaceCreateResult = Decoded<typeof SpaceCreateResultCodec>;

/** The `{}` result of membership.revoke, invitation.delete and epoch.complete (encodes as `0xa0`). */
export const EmptyResultCodec = struct('EmptyResult', {});
export type EmptyResult = Decoded<typeof EmptyResultCodec>;
