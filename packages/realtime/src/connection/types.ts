import type { IncomingMessage } from 'node:http';
import type { FrameBody } from '@less-sync/core';
import type { CloseDirective } from './close.js';

/** What the connection core needs from an authenticated identity; the API extends it with its claims. */
export interface ConnectionIdentity {
  /**
   * Key of the per-mailbox connection limit and of mailbox fan-out. The API resolves it (the JWT's
   * mailbox id, or the client id when that is empty, WS-CONN-1); it is fixed at registration.
   */
  readonly mailboxId: string;
  /** When the credential stops being valid (ms since epoch); the socket closes 4001 then (R8). */
  readonly expiresAt?: number | undefined;
}

/**
 * Validates the token of the auth frame. Resolve with the identity, or reject with AuthRejectedError
 * (mapped to its 4000 reason). Any other rejection closes with 4000 "invalid auth token".
 */
export type Authenticator<I extends ConnectionIdentity> = (
  token: string,
  connection: { readonly id: string; readonly request: IncomingMessage },
) => Promise<I>;

export type ConnectionState = 'authenticating' | 'open' | 'closing' | 'closed';

/** The connection as handlers and the API see it. */
export interface RealtimeConnection<I extends ConnectionIdentity> {
  /** Random UUIDv4, the broker's exclusion id and the input of presence pseudonyms (WS-CONN-1). */
  readonly id: string;
  readonly state: ConnectionState;
  /** The negotiated subprotocol (`less-rpc-v1` or `betterbase-rpc-v1`). */
  readonly protocol: string;
  /** Undefined until auth succeeds. */
  readonly identity: I | undefined;
  /** Aborted when the connection starts closing. */
  readonly signal: AbortSignal;
  /** Canonical ids of the spaces this connection receives broadcasts for. */
  readonly subscriptions: ReadonlySet<string>;
  /**
   * Replace the identity after a successful token.refresh and move the expiry to the new credential's
   * (R8, R9). The mailbox registration does not change.
   */
  replaceIdentity(identity: I): void;
  /** Add spaces (canonicalised, R5); resolves to the canonical ids that were newly added. */
  subscribe(spaces: Iterable<string>): Promise<string[]>;
  /** Remove spaces; resolves to the canonical ids that were actually removed. */
  unsubscribe(spaces: Iterable<string>): Promise<string[]>;
  isSubscribed(space: string): boolean;
  /** Encode `{type:2, method, params}` once and fan it out to the space, excluding this connection. */
  publish(space: string, method: string, params: FrameBody): Promise<number>;
  /** Send a notification to this connection only, waiting for queue room. */
  notify(method: string, params: FrameBody): Promise<void>;
  /** Close with a directive (queued after frames already handed to the socket). Idempotent. */
  close(directive: CloseDirective): void;
  /** Resolves once the socket is closed and teardown has finished. */
  readonly closed: Promise<void>;
}

/** Optional callbacks the API hangs on the lifecycle. */
export interface ConnectionHooks<I extends ConnectionIdentity> {
  /**
   * After auth, before broker registration. Return a directive to refuse the connection (e.g. a
   * federation peer over its quota, 4003).
   */
  admit?(
    connection: RealtimeConnection<I>,
    identity: I,
  ): CloseDirective | undefined | Promise<CloseDirective | undefined>;
  /** The connection is authenticated and registered. */
  onOpen?(connection: RealtimeConnection<I>): void;
  /**
   * Teardown finished (presence cleared, broker unregistered). `directive` is the close the server sent,
   * if it sent one.
   */
  onClose?(connection: RealtimeConnection<I>, directive: CloseDirective | undefined): void;
  /** A broadcast found the outbound queue full: the connection is being closed 4006 (R7). */
  onSlowConsumer?(connection: RealtimeConnection<I>, queuedFrames: number): void;
}
