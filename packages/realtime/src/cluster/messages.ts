/**
 * Hints between instances, as compact JSON. A space hint names the space, the change's cursor and the
 * notification method; small frames ride along base64-encoded (delivered as-is), larger ones are read
 * back from the database by cursor on the receiving side.
 */
export type ClusterMessage =
  | {
      readonly t: 's';
      /** Origin instance id. */
      readonly o: string;
      /** Canonical space id. */
      readonly s: string;
      /** Notification method. */
      readonly k: string;
      /** Excluded connection id ('' for nobody). */
      readonly x: string;
      /** Cursor of the change, when the notification has one. */
      readonly c?: number;
      /** The encoded frame, base64; absent when too large (resolve from the database). */
      readonly p?: string;
    }
  | { readonly t: 'm'; readonly o: string; readonly m: string; readonly p: string }
  | { readonly t: 'v'; readonly o: string; readonly s: string; readonly cid: string; readonly r: string };

export function encodeMessage(message: ClusterMessage): string {
  return JSON.stringify(message);
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Parses a hint; anything malformed is `undefined` (ignored and counted by the caller, never thrown). */
export function decodeMessage(body: string): ClusterMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (!isString(m.o)) return undefined;
  switch (m.t) {
    case 's':
      if (!isString(m.s) || !isString(m.k) || !isString(m.x)) return undefined;
      if (m.c !== undefined && !Number.isSafeInteger(m.c)) return undefined;
      if (m.p !== undefined && !isString(m.p)) return undefined;
      return m as ClusterMessage;
    case 'm':
      return isString(m.m) && isString(m.p) ? (m as ClusterMessage) : undefined;
    case 'v':
      return isString(m.s) && isString(m.cid) && isString(m.r) ? (m as ClusterMessage) : undefined;
    default:
      return undefined;
  }
}

/** UTF-8 length of a JSON hint (all our fields are ASCII except ids, which are validated upstream). */
export function byteLength(body: string): number {
  return Buffer.byteLength(body, 'utf8');
}
