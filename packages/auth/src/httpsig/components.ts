/**
 * The request model and signature base of the reference's RFC 9421 subset (HTTPSIG-02/03).
 */

/** Node's `IncomingHttpHeaders`, a plain record (any case) or a WHATWG `Headers`. */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

export interface HttpRequestLike {
  readonly method: string;
  /** An absolute URI (`wss://peer.example.com/path`) or the request target as received (`/path?q`). */
  readonly url: string;
  readonly headers: HeaderSource;
}

const VISIBLE_ASCII = /^[\t\x20-\x7e]*$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]+)(.*)$/s;

/** First value of a header, case-insensitively, only if it is visible ASCII (as `to_str` requires). */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  let value: string | readonly string[] | null | undefined;
  if (typeof headers.get === 'function') {
    value = (headers as { get(name: string): string | null }).get(name);
  } else {
    const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
    const lower = name.toLowerCase();
    value = record[lower];
    if (value === undefined) {
      const match = Object.keys(record).find((key) => key.toLowerCase() === lower);
      value = match === undefined ? undefined : record[match];
    }
  }
  const first = typeof value === 'string' ? value : value?.[0];
  return first !== undefined && VISIBLE_ASCII.test(first) ? first : undefined;
}

interface AbsoluteUri {
  readonly scheme: string;
  readonly authority: string;
  readonly rest: string;
}

function parseAbsolute(url: string): AbsoluteUri | undefined {
  const match = ABSOLUTE.exec(url);
  if (match === null) return undefined;
  return { scheme: match[1] as string, authority: match[2] as string, rest: match[3] as string };
}

/** `host`: the Host header, else the URI's authority, else empty. */
export function hostComponent(request: HttpRequestLike): string {
  return headerValue(request.headers, 'host') ?? parseAbsolute(request.url)?.authority ?? '';
}

/**
 * `@target-uri` candidates. An absolute URI is used as written (an empty path becomes `/`).
 * Otherwise each scheme is tried with the host and the request target; the reference only tries
 * `https`, which R16 widens to `wss`/`ws` and the server's public URLs for federation upgrades.
 */
export function targetUriCandidates(
  request: HttpRequestLike,
  schemes: readonly string[],
  publicUrls: readonly string[],
): string[] {
  const absolute = parseAbsolute(request.url);
  if (absolute !== undefined) {
    const rest = absolute.rest === '' || absolute.rest.startsWith('?') ? `/${absolute.rest}` : absolute.rest;
    return [`${absolute.scheme}://${absolute.authority}${rest}`];
  }
  const host = hostComponent(request);
  if (host === '') return [request.url];
  const candidates = schemes.map((scheme) => `${scheme}://${host}${request.url}`);
  for (const base of publicUrls) {
    const parsed = parseAbsolute(base);
    if (parsed === undefined) continue;
    const scheme = WEBSOCKET_SCHEME[parsed.scheme.toLowerCase()] ?? parsed.scheme;
    candidates.push(`${scheme}://${parsed.authority}${request.url}`);
  }
  return [...new Set(candidates)];
}

/** A server reachable at `https://x` is dialled by peers as `wss://x`. */
const WEBSOCKET_SCHEME: Readonly<Record<string, string>> = { https: 'wss', http: 'ws' };

function componentValue(request: HttpRequestLike, component: string, targetUri: string): string {
  switch (component) {
    case '@method':
      return request.method;
    case '@target-uri':
      return targetUri;
    case 'host':
      return hostComponent(request);
    default:
      // Any other name is a header; unknown derived components (@path, ...) are not valid header
      // names and read as empty, like a missing header.
      return HEADER_NAME.test(component) ? (headerValue(request.headers, component) ?? '') : '';
  }
}

/** The `@signature-params` value (without the leading label). */
export function signatureParams(components: readonly string[], keyId: string, created: bigint): string {
  const list = components.map((component) => `"${component}"`).join(' ');
  return `(${list});keyid="${keyId}";alg="ed25519";created=${created}`;
}

/** HTTPSIG-02: one `"<name>": <value>` line per component, then the rebuilt params line, LF-joined. */
export function signatureBase(
  request: HttpRequestLike,
  components: readonly string[],
  keyId: string,
  created: bigint,
  targetUri: string,
): string {
  let base = '';
  for (const component of components) {
    base += `"${component}": ${componentValue(request, component, targetUri)}\n`;
  }
  return `${base}"@signature-params": ${signatureParams(components, keyId, created)}`;
}
