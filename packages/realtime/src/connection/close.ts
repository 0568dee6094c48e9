import { CloseCode } from '@less-sync/core';

/** A close code and its exact reason text (WSPROTO-03). */
export interface CloseDirective {
  readonly code: number;
  readonly reason: string;
}

function directive(code: number, reason: string): CloseDirective {
  return Object.freeze({ code, reason });
}

/**
 * Every close this package sends, with the reference's reason texts (WSPROTO-04), plus the ones our
 * rulings add (R7 slow consumer, R8 token expiry, R24 shutdown).
 */
export const Close = Object.freeze({
  // Handshake (4000). Peer-initiated closes and read errors before auth get the first two.
  closedBeforeAuth: directive(CloseCode.AuthFailed, 'connection closed before auth'),
  authReadFailed: directive(CloseCode.AuthFailed, 'failed to read auth frame'),
  authTimeout: directive(CloseCode.AuthFailed, 'auth timeout'),
  expectedBinaryAuth: directive(CloseCode.AuthFailed, 'expected binary auth frame'),
  emptyAuthFrame: directive(CloseCode.AuthFailed, 'empty auth frame'),
  /** The first message exceeds the pre-auth cap (1009, "message too big"). */
  authFrameTooLarge: directive(1009, 'auth frame too large'),
  invalidAuthFrame: directive(CloseCode.AuthFailed, 'invalid auth frame'),
  notAuthNotification: directive(CloseCode.AuthFailed, 'first frame must be an auth notification'),
  emptyAuthToken: directive(CloseCode.AuthFailed, 'empty auth token'),
  missingAuthToken: directive(CloseCode.AuthFailed, 'missing auth token'),
  invalidAuthToken: directive(CloseCode.AuthFailed, 'invalid auth token'),
  expiredAuthToken: directive(CloseCode.AuthFailed, 'expired auth token'),
  untrustedIssuer: directive(CloseCode.AuthFailed, 'untrusted auth issuer'),
  syncScopeRequired: directive(CloseCode.AuthFailed, 'sync scope required'),
  // Live connection.
  lifetimeReached: directive(CloseCode.TokenExpired, 'connection timeout'),
  tokenExpired: directive(CloseCode.TokenExpired, 'token expired'),
  tooManyConnections: directive(CloseCode.TooManyConnections, 'too many connections'),
  registrationFailed: directive(CloseCode.TooManyConnections, 'failed to register connection'),
  emptyBinaryFrame: directive(CloseCode.ProtocolError, 'empty binary frame'),
  invalidCborFrame: directive(CloseCode.ProtocolError, 'invalid cbor frame'),
  expectedBinaryRpc: directive(CloseCode.ProtocolError, 'expected binary rpc frame'),
  slowConsumer: directive(CloseCode.SlowConsumer, 'slow consumer'),
  goingAway: directive(1001, 'going away'),
  /** A server bug surfaced while handling a frame (never expected; logged). */
  internalError: directive(1011, 'internal error'),
});

/** Why an authenticator refused a token; each maps to its 4000 reason (WSPROTO-07). */
export type AuthRejectionKind =
  | 'missing_token'
  | 'invalid_token'
  | 'expired_token'
  | 'untrusted_issuer'
  | 'scope';

const REJECTIONS: Record<AuthRejectionKind, CloseDirective> = {
  missing_token: Close.missingAuthToken,
  invalid_token: Close.invalidAuthToken,
  expired_token: Close.expiredAuthToken,
  untrusted_issuer: Close.untrustedIssuer,
  scope: Close.syncScopeRequired,
};

/**
 * Thrown by an injected authenticator to refuse a connection. The kind picks the reference's close reason;
 * `close` may override it entirely (e.g. a federation quota answering 4003).
 */
export class AuthRejectedError extends Error {
  override readonly name = 'AuthRejectedError';
  readonly close: CloseDirective;
  constructor(
    readonly kind: AuthRejectionKind,
    close?: CloseDirective,
  ) {
    const resolved = close ?? REJECTIONS[kind];
    super(resolved.reason);
    this.close = resolved;
  }
}
