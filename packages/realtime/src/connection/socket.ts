import { WebSocket } from 'ws';
import { Close, type CloseDirective } from './close.js';

/** What the endpoint's shared socket listeners call on the socket's connection. */
export interface SocketOwner {
  socketMessage(data: Uint8Array, isBinary: boolean): void;
  socketPing(): void;
  socketPong(): void;
  socketError(err: Error): void;
  socketClose(): void;
}

/** Status codes `ws` uses when it closes on a bad inbound frame (protocol, UTF-8, policy, size). */
const READ_ERROR_CODES = new Set([1002, 1007, 1008, 1009]);

/**
 * The `ws` socket class used by the endpoint. `ws` closes the socket by itself in two cases: a read error
 * (oversize or malformed frame) and echoing a peer's Close. Before auth the reference answers both with
 * 4000 and its own reasons (WS-AUTH-1, WS-UPGRADE-2), so while `authPending` is set those closes are
 * rewritten. Our own closes go through {@link closeWith} and are never rewritten.
 */
export class RealtimeSocket extends WebSocket {
  authPending = true;
  /** The connection the shared listeners forward events to. */
  owner: SocketOwner | undefined;

  override close(code?: number, data?: string | Buffer): void {
    if (this.authPending) {
      this.authPending = false;
      const directive =
        code !== undefined && READ_ERROR_CODES.has(code) ? Close.authReadFailed : Close.closedBeforeAuth;
      super.close(directive.code, directive.reason);
      return;
    }
    super.close(code, data);
  }

  closeWith(directive: CloseDirective): void {
    this.authPending = false;
    super.close(directive.code, directive.reason);
  }
}
