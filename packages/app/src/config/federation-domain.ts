/**
 * Federation domain rules needed to validate configuration (federation spec §0 and FED-WS-04). The
 * verifier applies the same rules to live requests; these are kept byte-for-byte equivalent.
 */

/**
 * canonicalize(d): drop a `scheme://` prefix and any path, ASCII-lowercase, strip trailing dots, then
 * strip trailing `:443` (other ports are kept).
 */
export function canonicalizeDomain(domain: string): string {
  const schemeEnd = domain.indexOf('://');
  let rest = schemeEnd < 0 ? domain : domain.slice(schemeEnd + 3);
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  rest = rest.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()).replace(/\.+$/, '');
  while (rest.endsWith(':443')) rest = rest.slice(0, -4);
  return rest;
}

/**
 * The peer host named by a key id: the part before the last `#` must be an http(s) URL without
 * userinfo and with a host; IPv6 brackets are removed and the port is dropped. Undefined when invalid.
 * The result is not yet canonicalized.
 */
export function domainFromKeyId(keyId: string): string | undefined {
  const hash = keyId.lastIndexOf('#');
  const base = hash < 0 ? keyId : keyId.slice(0, hash);
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  const host = url.hostname.replace(/^\[+/, '').replace(/\]+$/, '');
  if (host === '' || host.startsWith('.')) return undefined;
  return host;
}
