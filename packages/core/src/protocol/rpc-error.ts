import { rule, struct } from '../schema/struct.js';
import { text } from '../schema/wire-types.js';
import type { RpcErrorCode } from './constants.js';

const { R } = rule;

/** Wire shape of an RPC error payload: `{code, message}` (PROTO-03). */
export const RpcErrorPayloadCodec = struct('RpcError', {
  code: R(text),
  message: R(text),
});

/**
 * An RPC error as a throwable value. `toString()` is `"<code>: <message>"` (PROTO-03). Decoded peer
 * errors may carry codes outside {@link RpcErrorCode}, so `code` is a plain string.
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: RpcErrorCode | (string & {}),
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }

  override toString(): string {
    return `${this.code}: ${this.detail}`;
  }

  /** The wire payload `{code, message}`. */
  toPayload(): { code: string; message: string } {
    return { code: this.code, message: this.detail };
  }

  static fromBytes(bytes: Uint8Array): RpcError {
    const p = RpcErrorPayloadCodec.fromBytes(bytes);
    return new RpcError(p.code, p.message);
  }

  toBytes(): Uint8Array {
    return RpcErrorPayloadCodec.toBytes(this.toPayload());
  }
}
