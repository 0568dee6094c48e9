import { decodeCbor, type WireValue } from '@less-sync/core';

/** What the cluster layer reads from a notification it relays: method, cursor, and presence fields. */
export interface FrameInfo {
  readonly method: string;
  readonly cursor: number | undefined;
  readonly peer: string | undefined;
  readonly data: Uint8Array | undefined;
}

const LIMITS = { maxBytes: 2 ** 31, maxItems: 10_000_000 };

function field(value: WireValue | undefined, key: string): WireValue | undefined {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || Array.isArray(value)) {
    return undefined;
  }
  return (value as Record<string, WireValue | undefined>)[key];
}

/** Reads our own encoded `{type:2, method, params}`; a frame it cannot read yields undefined. */
export function frameInfo(frame: Uint8Array): FrameInfo | undefined {
  let decoded: WireValue;
  try {
    decoded = decodeCbor(frame, { limits: LIMITS });
  } catch {
    return undefined;
  }
  const method = field(decoded, 'method');
  if (typeof method !== 'string') return undefined;
  const params = field(decoded, 'params');
  const cursor = field(params, 'cursor');
  const peer = field(params, 'peer');
  const data = field(params, 'data');
  return {
    method,
    cursor: typeof cursor === 'number' && Number.isSafeInteger(cursor) ? cursor : undefined,
    peer: typeof peer === 'string' ? peer : undefined,
    data: data instanceof Uint8Array ? data : undefined,
  };
}
