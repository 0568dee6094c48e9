import { HttpSignatureError } from './errors.js';

/** HTTPSIG-08: splits at the last `#` into (JWKS URL, kid); the fragment may be empty. */
export function extractKidFromKeyId(keyId: string): { readonly jwksUrl: string; readonly kid: string } {
  const hash = keyId.lastIndexOf('#');
  if (hash < 0)
    throw new HttpSignatureError('InvalidKeyId', `keyid ${JSON.stringify(keyId)} has no fragment`);
  return { jwksUrl: keyId.slice(0, hash), kid: keyId.slice(hash + 1) };
}

/**
 * HTTPSIG-09: the peer host named by a keyid URL: http(s) only, no userinfo, IPv6 brackets
 * stripped, port dropped, WHATWG-normalised (lowercase, punycode). `https:///x` parses with host
 * `x`-ish garbage such as `.well-known`, hence the leading-dot rule.
 */
export function extractDomainFromKeyId(keyId: string): string {
  const hash = keyId.lastIndexOf('#');
  const base = hash < 0 ? keyId : keyId.slice(0, hash);
  let url: URL;
  try {
    url = new URL(base);
  } catch (error) {
    throw new HttpSignatureError('InvalidKeyId', 'invalid URL', { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HttpSignatureError('InvalidKeyId', 'keyid must use http(s) scheme');
  }
  if (url.username !== '' || url.password !== '') {
    throw new HttpSignatureError('InvalidKeyId', 'keyid must not contain userinfo');
  }
  let host = url.hostname;
  if (host.startsWith('[')) host = host.slice(1);
  if (host.endsWith(']')) host = host.slice(0, -1);
  if (host === '' || host.startsWith('.')) throw new HttpSignatureError('InvalidKeyId', 'keyid has no host');
  return host;
}
