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

/** The 400 body for an upgrade without an accepted subprotocol: says what to offer instead. */
export const SUBPROTOCOL_REJECTION_BODY = `unsupported WebSocket subprotocol: offer one of ${WS_SUBPROTOCOL}, ${WS_SUBPROTOCOL_ALIAS} in Sec-WebSocket-Protocol\n`;
