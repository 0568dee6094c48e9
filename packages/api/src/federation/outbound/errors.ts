import { RpcErrorCode } from '@less-sync/core';

/**
 * Why an outbound federation call failed. `remote`: the home server answered with an error frame (its
 * code is kept, R29); every other kind means the home server's answer is unknown.
 */
export type FederationCallErrorKind = 'remote' | 'timeout' | 'unavailable' | 'overloaded' | 'protocol';

export const HOME_TIMEOUT_MESSAGE = 'home server did not answer in time';
export const HOME_UNAVAILABLE_MESSAGE = 'home server is unreachable';

export class FederationCallError extends Error {
  override readonly name = 'FederationCallError';

  constructor(
    readonly kind: FederationCallErrorKind,
    /** The RPC error code the client should see (the home's own code for `remote`). */
    readonly code: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }

  static remote(code: string, message: string): FederationCallError {
    return new FederationCallError('remote', code, message);
  }

  static timeout(): FederationCallError {
    return new FederationCallError('timeout', RpcErrorCode.Internal, HOME_TIMEOUT_MESSAGE);
  }

  static unavailable(detail: string, cause?: unknown): FederationCallError {
    return new FederationCallError(
      'unavailable',
      RpcErrorCode.Internal,
      `${HOME_UNAVAILABLE_MESSAGE}: ${detail}`,
      cause === undefined ? undefined : { cause },
    );
  }

  static overloaded(detail: string): FederationCallError {
    return new FederationCallError(
      'overloaded',
      RpcErrorCode.Internal,
      `home server link is busy: ${detail}`,
    );
  }

  static protocol(detail: string): FederationCallError {
    return new FederationCallError(
      'protocol',
      RpcErrorCode.Internal,
      `home server answered badly: ${detail}`,
    );
  }
}

export function isFederationCallError(err: unknown): err is FederationCallError {
  return err instanceof FederationCallError;
}
