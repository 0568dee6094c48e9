import { WS_SUBPROTOCOL, WS_SUBPROTOCOL_ALIAS, type WsSubprotocol } from '@less-sync/core';

/**
 * Pick the subprotocol to echo (WSPROTO-01, WS-UPGRADE-1, R1). The header value is split on `,` and each
 * item trimmed; items must match exactly (case-sensitive). `less-rpc-v1` wins when both names are offered;
 * otherwise the alias the client offered is echoed. `undefined` means "answer 400".
 */
export function selectSubprotocol(offered: string | Iterable<string> | undefined): WsSubprotocol | undefined {
  if (offered === undefined) return undefined;
  const items = typeof offered === 'string' ? offered.split(',') : offered;
  let alias = false;
  for (const raw of items) {
    const item = raw.trim();
    if (item === WS_SUBPROTOCOL) return WS_SUBPROTOCOL;
    if (item === WS_SUBPROTOCOL_ALIAS) alias = true;
  }
  return alias ? WS_SUBPROTOCOL_ALIAS : undefined;
}

const PROTOCOL_HEADER = 'sec-websocket-protocol';

/**
 * The first Sec-WebSocket-Protocol line of an upgrade request, as `headersDistinct[…][0]` gives it, read
 * from `rawHeaders` so that one lookup per upgrade does not build Node's map of every header.
 */
export function offeredSubprotocol(rawHeaders: readonly string[]): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === PROTOCOL_HEADER.length && name.toLowerCase() === PROTOCOL_HEADER)
      return rawHeaders[i + 1];
  }
  return undefined;
}

/** The 400 body for an upgrade without an accepted subprotocol: says what to offer instead. */
export const SUBPROTOCOL_REJECTION_BODY = `unsupported WebSocket subprotocol: offer one of ${WS_SUBPROTOCOL}, ${WS_SUBPROTOCOL_ALIAS} in Sec-WebSocket-Protocol\n`;
