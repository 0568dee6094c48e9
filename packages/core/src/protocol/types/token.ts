import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { bool, text } from '../../schema/wire-types.js';

const { R, E } = rule;

/** PROTO-12: `token.refresh`. */
export const TokenRefreshParamsCodec = struct('TokenRefreshParams', {
  token: R(text),
});
export type TokenRefreshParams = Decoded<typeof TokenRefreshParamsCodec>;

export const TokenRefreshResultCodec = struct('TokenRefreshResult', {
  ok: R(bool),
  error: E(text),
});
export type TokenRefreshResult = Decoded<typeof TokenRefreshResultCodec>;
export type TokenRefreshResultInit = Encodable<typeof TokenRefreshResultCodec>;
