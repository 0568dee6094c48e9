import { type Decoded, type Encodable, rule, struct } from '../../schema/struct.js';
import { bool, bytes, i32, i64, text } from '../../schema/wire-types.js';

const { R, N, A, X } = rule;

/** PROTO-21: a space row. Personal spaces have no root key (JWT only); shared spaces have one. */
export const SpaceCodec = struct('Space', {
  id: R(text),
  client_id: R(text),
  root_public_key: N(bytes),
  key_generation: R(i32),
  min_key_generation: R(i32),
  metadata_version: R(i32),
  cursor: R(i64),
  rewrap_epoch: N(i32),
  home_server: N(text),
});
export type Space = Decoded<typeof SpaceCodec>;

/**
 * PROTO-21: a stored record change. `blob` is always written (null when absent). `deleted` is
 * storage-only: never encoded, never decoded.
 */
export const ChangeCodec = struct('Change', {
  id: R(text),
  blob: A(bytes),
  cursor: R(i64),
  dek: N(bytes),
  deleted: X(bool),
});
export type Change = Decoded<typeof ChangeCodec>;
export type ChangeInit = Encodable<typeof ChangeCodec>;

/** The deleted flag alone decides; a live record may have no blob. */
export function isDeletedChange(change: { readonly deleted?: boolean | null }): boolean {
  return change.deleted === true;
}

/** HTTP JSON error body `{"error": "..."}` (an empty string is allowed). */
export interface ErrorResponse {
  readonly error: string;
}

export function errorResponseJson(error: string): string {
  return JSON.stringify({ error } satisfies ErrorResponse);
}

/** Parse an HTTP error body; returns undefined when it is not `{"error": <string>}`. */
export function parseErrorResponse(json: string): ErrorResponse | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const error: unknown = (parsed as Record<string, unknown>).error;
  return typeof error === 'string' ? { error } : undefined;
}
