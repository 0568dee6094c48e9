import {
  AuthParamsCodec,
  decodeCbor,
  type FrameHead,
  FrameHeadCodec,
  FrameType,
  isKeepalive,
  isWireObject,
  type WireValue,
} from '@less-sync/core';
import { Close, type CloseDirective } from './close.js';

/** A classified client frame after auth (WSPROTO-08, WS-FRAME-2). */
export type ClientFrame =
  | { readonly kind: 'keepalive' }
  | {
      readonly kind: 'request';
      readonly id: string;
      readonly method: string;
      readonly params: WireValue | undefined;
    }
  | { readonly kind: 'notification'; readonly method: string; readonly params: WireValue | undefined }
  /** Client-sent responses, chunks and unknown types: ignored, the connection stays open. */
  | { readonly kind: 'ignored'; readonly type: number };

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly close: CloseDirective };

const KEEPALIVE: ClientFrame = Object.freeze({ kind: 'keepalive' });

/** Decode the envelope; undefined for anything core's bounded decoder or the head codec refuses. */
function decodeHead(payload: Uint8Array): { head: FrameHead; raw: WireValue } | undefined {
  try {
    const raw = decodeCbor(payload);
    return { head: FrameHeadCodec.decode(raw), raw };
  } catch {
    return undefined;
  }
}

/** Classify one binary message received after auth; failures close with 4005 (WSPROTO-08). */
export function parseClientFrame(payload: Uint8Array): ParseResult<ClientFrame> {
  if (payload.length === 0) return { ok: false, close: Close.emptyBinaryFrame };
  if (isKeepalive(payload)) return { ok: true, value: KEEPALIVE };
  const decoded = decodeHead(payload);
  if (decoded === undefined) return { ok: false, close: Close.invalidCborFrame };
  const { type, id, method, params } = decoded.head;
  switch (type) {
    case FrameType.Request:
      return { ok: true, value: { kind: 'request', id, method, params } };
    case FrameType.Notification:
      return { ok: true, value: { kind: 'notification', method, params } };
    default:
      return { ok: true, value: { kind: 'ignored', type } };
  }
}

/**
 * Parse the first message's payload: `{type: 2, method: "auth", params: {token}}` (WSPROTO-06). Shape is
 * checked before meaning, as in the reference: `method` is required and a frame without `params.token`
 * is "invalid auth frame" even when it is a request.
 */
export function parseAuthFrame(payload: Uint8Array): ParseResult<string> {
  if (payload.length === 0) return { ok: false, close: Close.emptyAuthFrame };
  const decoded = decodeHead(payload);
  if (decoded === undefined || !isWireObject(decoded.raw) || decoded.raw.method === undefined) {
    return { ok: false, close: Close.invalidAuthFrame };
  }
  let token: string;
  try {
    token = AuthParamsCodec.decode(decoded.head.params ?? null).token;
  } catch {
    return { ok: false, close: Close.invalidAuthFrame };
  }
  if (decoded.head.type !== FrameType.Notification || decoded.head.method !== 'auth') {
    return { ok: false, close: Close.notAuthNotification };
  }
  if (token === '') return { ok: false, close: Close.emptyAuthToken };
  return { ok: true, value: token };
}
