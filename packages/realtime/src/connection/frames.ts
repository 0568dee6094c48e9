import {
  AuthParamsCodec,
  CborDecodeError,
  decodeCbor,
  decodeCborEnvelope,
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
      /** Set when the envelope decoded but the params did not: the request gets an error reply. */
      readonly paramsError?: CborDecodeError;
    }
  | { readonly kind: 'notification'; readonly method: string; readonly params: WireValue | undefined }
  /** Client-sent responses, chunks and unknown types: ignored, the connection stays open. */
  | { readonly kind: 'ignored'; readonly type: number };

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly close: CloseDirective };

const KEEPALIVE: ClientFrame = Object.freeze({ kind: 'keepalive' });

interface DecodedHead {
  head: FrameHead;
  raw: WireValue;
  paramsError?: CborDecodeError;
}

/** Decode the envelope; undefined for anything core's bounded decoder or the head codec refuses. */
function decodeHead(payload: Uint8Array, lenientParams = false): DecodedHead | undefined {
  try {
    const raw = decodeCbor(payload);
    return { head: FrameHeadCodec.decode(raw), raw };
  } catch (err) {
    if (!lenientParams || !(err instanceof CborDecodeError)) return undefined;
    return decodeWithoutParams(payload, err);
  }
}

/**
 * The frame failed to decode: if it decodes with its params skipped, only the params were bad, and the
 * request deserves an error reply rather than a 4005 close (a half float or deep nesting is a bad param).
 */
function decodeWithoutParams(payload: Uint8Array, paramsError: CborDecodeError): DecodedHead | undefined {
  try {
    const envelope = decodeCborEnvelope(payload, 'params');
    if (!envelope.skipped) return undefined;
    return { head: FrameHeadCodec.decode(envelope.value), raw: envelope.value, paramsError };
  } catch {
    return undefined;
  }
}

/** Classify one binary message received after auth; failures close with 4005 (WSPROTO-08). */
export function parseClientFrame(payload: Uint8Array): ParseResult<ClientFrame> {
  if (payload.length === 0) return { ok: false, close: Close.emptyBinaryFrame };
  if (isKeepalive(payload)) return { ok: true, value: KEEPALIVE };
  const decoded = decodeHead(payload, true);
  if (decoded === undefined) return { ok: false, close: Close.invalidCborFrame };
  const { type, id, method, params } = decoded.head;
  const paramsError = decoded.paramsError;
  switch (type) {
    case FrameType.Request:
      return {
        ok: true,
        value: { kind: 'request', id, method, params, ...(paramsError === undefined ? {} : { paramsError }) },
      };
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
