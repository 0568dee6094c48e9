import { withWriter } from '../cbor/encode.js';
import type { WireObject, WireValue } from '../cbor/values.js';
import type { CborWriter } from '../cbor/writer.js';
import { Payload } from '../schema/payload.js';
import { type Decoded, rule, struct } from '../schema/struct.js';
import { anyValue, i32, text } from '../schema/wire-types.js';
import { FrameType, KEEPALIVE_BYTE, RpcErrorCode } from './constants.js';

const { R, E, N } = rule;

/** A frame's payload: a typed {@link Payload} or a plain wire map written as-is. */
export type FrameBody = Payload | WireObject;

export interface RequestFrame {
  readonly type: typeof FrameType.Request;
  readonly id: string;
  readonly method: string;
  readonly params?: WireValue;
}
export interface ResultResponseFrame {
  readonly type: typeof FrameType.Response;
  readonly id: string;
  readonly result: WireValue;
}
export interface ErrorResponseFrame {
  readonly type: typeof FrameType.Response;
  readonly id: string;
  readonly error: { readonly code: string; readonly message: string };
}
export type ResponseFrame = ResultResponseFrame | ErrorResponseFrame;
export interface NotificationFrame {
  readonly type: typeof FrameType.Notification;
  readonly method: string;
  readonly params?: WireValue;
}
export interface ChunkFrame {
  readonly type: typeof FrameType.Chunk;
  readonly id: string;
  readonly name: string;
  readonly data?: WireValue;
}
export type Frame = RequestFrame | ResponseFrame | NotificationFrame | ChunkFrame;

// Envelope keys, CBOR-encoded once.
const K_TYPE = Uint8Array.of(0x64, 0x74, 0x79, 0x70, 0x65);
const K_ID = Uint8Array.of(0x62, 0x69, 0x64);
const K_RESULT = Uint8Array.of(0x66, 0x72, 0x65, 0x73, 0x75, 0x6c, 0x74);
const K_ERROR = Uint8Array.of(0x65, 0x65, 0x72, 0x72, 0x6f, 0x72);
const K_CODE = Uint8Array.of(0x64, 0x63, 0x6f, 0x64, 0x65);
const K_MESSAGE = Uint8Array.of(0x67, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65);
const K_METHOD = Uint8Array.of(0x66, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64);
const K_PARAMS = Uint8Array.of(0x66, 0x70, 0x61, 0x72, 0x61, 0x6d, 0x73);
const K_NAME = Uint8Array.of(0x64, 0x6e, 0x61, 0x6d, 0x65);
const K_DATA = Uint8Array.of(0x64, 0x64, 0x61, 0x74, 0x61);

/** Opens a frame map of `entries` keys: `type`, then its first text entry (`id`, or `method`). */
function writeHead(w: CborWriter, entries: number, type: FrameType, key: Uint8Array, value: string): void {
  w.mapHead(entries);
  w.raw(K_TYPE);
  w.int(type);
  writeText(w, key, value);
}

function writeText(w: CborWriter, key: Uint8Array, value: string): void {
  w.raw(key);
  w.text(value);
}

/** The frame's last entry: its payload, typed or written as-is. */
function writeBody(w: CborWriter, key: Uint8Array, body: FrameBody): void {
  w.raw(key);
  (body instanceof Payload ? body : Payload.value(body)).writeTo(w);
}

/** `{type:1, id, result}` — exactly 3 keys (PROTO-07). `id` echoes the request, `""` when it had none. */
export function encodeResponse(id: string, result: FrameBody): Uint8Array {
  return withWriter((w) => {
    writeHead(w, 3, FrameType.Response, K_ID, id);
    writeBody(w, K_RESULT, result);
  });
}

/** `{type:1, id, error:{code, message}}` — never a `result` key (PROTO-07). */
export function encodeErrorResponse(id: string, code: RpcErrorCode, message: string): Uint8Array {
  return withWriter((w) => {
    writeHead(w, 3, FrameType.Response, K_ID, id);
    w.raw(K_ERROR);
    w.mapHead(2);
    writeText(w, K_CODE, code);
    writeText(w, K_MESSAGE, message);
  });
}

/** The reply to an unknown method: `method_not_found`, `unknown method: <method>` verbatim (PROTO-07). */
export function encodeMethodNotFound(id: string, method: string): Uint8Array {
  return encodeErrorResponse(id, RpcErrorCode.MethodNotFound, `unknown method: ${method}`);
}

/**
 * `{type:2, method, params}` — no `id` (PROTO-07). Encode once and hand the same bytes to every
 * subscriber; the result is never mutated by this package.
 */
export function encodeNotification(method: string, params: FrameBody): Uint8Array {
  return withWriter((w) => {
    writeHead(w, 3, FrameType.Notification, K_METHOD, method);
    writeBody(w, K_PARAMS, params);
  });
}

/** `{type:3, id, name, data}` — 4 keys; `id` is the originating request's id (PROTO-07). */
export function encodeChunk(id: string, name: string, data: FrameBody): Uint8Array {
  return withWriter((w) => {
    writeHead(w, 4, FrameType.Chunk, K_ID, id);
    writeText(w, K_NAME, name);
    writeBody(w, K_DATA, data);
  });
}

/** Output bytes per shared buffer in {@link encodeChunks}: one group stays within the reused writer. */
const CHUNK_GROUP_BYTES = 512 * 1024;

/**
 * The chunk frames of one request, in order, written back to back into buffers of about 512 KiB and
 * returned as views of them: one allocation per group instead of one per frame (a pull page is hundreds
 * of frames, and a small allocation each was a fifth of its encoding time). Each view holds exactly the
 * bytes {@link encodeChunk} returns for its item; a group's buffer lives until its last view is dropped.
 */
export function encodeChunks(id: string, items: Iterable<readonly [string, FrameBody]>): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const iterator = items[Symbol.iterator]();
  let next = iterator.next();
  while (next.done !== true) {
    const ends: number[] = [];
    const group = withWriter((w) => {
      while (next.done !== true && w.length < CHUNK_GROUP_BYTES) {
        const [name, data] = next.value;
        writeHead(w, 4, FrameType.Chunk, K_ID, id);
        writeText(w, K_NAME, name);
        writeBody(w, K_DATA, data);
        ends.push(w.length);
        next = iterator.next();
      }
    });
    let start = 0;
    for (const end of ends) {
      frames.push(group.subarray(start, end));
      start = end;
    }
  }
  return frames;
}

/** `{type:0, id, method, params}` as a client (or federation peer) would send it. */
export function encodeRequest(id: string, method: string, params: FrameBody): Uint8Array {
  return withWriter((w) => {
    writeHead(w, 4, FrameType.Request, K_ID, id);
    writeText(w, K_METHOD, method);
    writeBody(w, K_PARAMS, params);
  });
}

/** A fresh keepalive message: the single byte `0xf6`. */
export function encodeKeepalive(): Uint8Array {
  return Uint8Array.of(KEEPALIVE_BYTE);
}

/** True only when the whole message is the keepalive byte (a longer message starting with 0xf6 is not). */
export function isKeepalive(message: Uint8Array): boolean {
  return message.length === 1 && message[0] === KEEPALIVE_BYTE;
}

/**
 * The envelope keys every inbound frame is checked for (WSPROTO-08): `type` i32 required; `id` and
 * `method` text defaulting to `""` (null or a non-text value is an error). `params` is carried through
 * as a dynamic value for the method's own codec; other keys are ignored.
 */
export const FrameHeadCodec = struct('Frame', {
  type: R(i32),
  id: E(text),
  method: E(text),
  params: N(anyValue),
});
export type FrameHead = Decoded<typeof FrameHeadCodec>;

/** The auth frame's params: `{token}` (WSPROTO-06). */
export const AuthParamsCodec = struct('AuthParams', { token: R(text) });
export type AuthParams = Decoded<typeof AuthParamsCodec>;
