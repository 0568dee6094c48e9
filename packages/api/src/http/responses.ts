/**
 * Response conventions (HTTP-03, HTTP-04, HTTP-08): JSON errors are compact `{"error":"..."}`, other
 * outcomes are empty, and every response carries the same CORS and protocol headers.
 */

export const PROTOCOL_VERSION_HEADER = 'X-Protocol-Version';

/** Stamped on every response, the preflight answer included; same-named headers are overwritten. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Protocol-Version': '1',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, PUT, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers':
    'Content-Type, Content-Length, Authorization, X-UCAN, X-Wrapped-DEK, X-Record-ID',
  'Access-Control-Expose-Headers': 'X-Wrapped-DEK',
  'Access-Control-Max-Age': '86400',
});

const JSON_TYPE = 'application/json';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': JSON_TYPE, ...headers },
  });
}

/** `{"error": message}` with `status`. */
export function jsonError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error: message }, headers);
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

export function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * Returns `response` with the common headers set. Responses built elsewhere may have immutable
 * headers (e.g. a fetched one); those are copied into a new Response first.
 */
export function withCommonHeaders(response: Response, extra: Record<string, string> = {}): Response {
  const all = { ...COMMON_HEADERS, ...extra };
  try {
    for (const [name, value] of Object.entries(all)) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(all)) copy.headers.set(name, value);
    return copy;
  }
}

/** Header values axum can read as a string: visible ASCII, space and tab. */
export function isVisibleAscii(value: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(value);
}
