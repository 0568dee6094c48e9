/** Per-connection plumbing kept out of connection.ts: flat ids, shared socket listeners, the dispatch view. */
import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { RealtimeLogger } from '../logger.js';
import type { DispatchTarget } from './dispatch.js';
import type { HandlerTable } from './handlers.js';
import { toBytes } from './inbound.js';
import type { OutboundQueue } from './outbound.js';
import type { RealtimeSocket } from './socket.js';
import type { ConnectionIdentity, RealtimeConnection } from './types.js';

/**
 * `randomUUID()` returns a string built by concatenation, which V8 keeps as a tree of about a dozen
 * pieces (some 400 bytes) for as long as the connection lives; a Buffer round trip stores it flat.
 */
export function flatUuid(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}

/**
 * One set of socket listeners for every connection: they reach their connection through the socket's
 * `owner`, so a connection holds no listener closures of its own.
 */
export function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as RealtimeSocket).owner?.socketMessage(toBytes(data), isBinary);
}
export function onSocketPing(this: WebSocket): void {
  (this as RealtimeSocket).owner?.socketPing();
}
export function onSocketPong(this: WebSocket): void {
  (this as RealtimeSocket).owner?.socketPong();
}
export function onSocketError(this: WebSocket, err: Error): void {
  (this as RealtimeSocket).owner?.socketError(err);
}
export function onSocketClose(this: WebSocket): void {
  (this as RealtimeSocket).owner?.socketClose();
}

/** The dispatcher's view of a connection (a class: an object literal with a getter costs a dictionary). */
export class Target<I extends ConnectionIdentity> implements DispatchTarget<I> {
  constructor(
    readonly connection: RealtimeConnection<I>,
    private readonly deps: { readonly handlers: HandlerTable<I>; readonly logger: RealtimeLogger },
    private readonly outbound: OutboundQueue,
  ) {}
  get identity(): I {
    return this.connection.identity as I;
  }
  get handlers(): HandlerTable<I> {
    return this.deps.handlers;
  }
  get logger(): RealtimeLogger {
    return this.deps.logger;
  }
  reply(frame: Uint8Array): Promise<void> {
    return this.outbound.push(frame);
  }
  tryReply(frame: Uint8Array): boolean {
    return this.outbound.tryPushReply(frame);
  }
  respond(frame: Uint8Array): Promise<void> {
    return this.outbound.push(frame, true);
  }
}
