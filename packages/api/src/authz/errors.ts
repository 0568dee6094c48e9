import { RpcError } from '@less-sync/core';

/**
 * Why a space-scoped call was refused. `forbidden` means exactly "this identity has no access" (the SDK's
 * revocation detection keys on it); `internal` is a failure on our side (storage down, revocation lookup
 * failed) and must never read as a revocation.
 */
export type SpaceAuthzErrorCode = 'forbidden' | 'internal';

export class SpaceAuthzError extends Error {
  override readonly name = 'SpaceAuthzError';
  constructor(
    readonly code: SpaceAuthzErrorCode,
    /** Which check failed, for logs only. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${reason}`, options);
  }
}

export function isSpaceAuthzError(err: unknown): err is SpaceAuthzError {
  return err instanceof SpaceAuthzError;
}

/** The wire code for a failed authorization: the error's own, `internal` for anything unexpected. */
export function authzErrorCode(err: unknown): SpaceAuthzErrorCode {
  return err instanceof SpaceAuthzError ? err.code : 'internal';
}

/** Error frame `forbidden "forbidden"` or `internal "internal"`, as the space-scoped methods answer. */
export function authzRpcError(err: unknown): RpcError {
  const code = authzErrorCode(err);
  return new RpcError(code, code);
}
