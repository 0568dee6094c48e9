import { type KeyObject, sign } from 'node:crypto';
import { encodeBase64Padded } from '../encoding/base64.js';
import { type Clock, systemClock, unixSeconds } from '../encoding/clock.js';
import { type HttpRequestLike, signatureBase, signatureParams, targetUriCandidates } from './components.js';
import { HttpSignatureError } from './errors.js';
import { ed25519PrivateKey } from './keys.js';

/** The components every signature covers, in this order (HTTPSIG-01). */
export const REQUIRED_COMPONENTS = ['@method', '@target-uri', 'host'] as const;

/** A type alias (not an interface) so it also fits header records with an index signature. */
export type SignatureHeaders = {
  readonly 'Signature-Input': string;
  readonly Signature: string;
};

/** keyids end up between quotes and `;`-separated params; those characters could not round-trip. */
const KEY_ID = /^[\x20-\x21\x23-\x3a\x3c-\x7e]+$/;

/**
 * HTTPSIG-01: signs `@method`, `@target-uri`, `host` with Ed25519, created = now (whole seconds),
 * and returns the two headers to set. Sign the URL actually dialled (R16), with the Host header
 * already present. A keyid that is not visible ASCII or contains `"` or `;` is refused (the
 * reference panics or produces a signature nobody can verify).
 */
export function signHttpRequest(
  request: HttpRequestLike,
  privateKey: Uint8Array | KeyObject,
  keyId: string,
  options: { readonly now?: Clock } = {},
): SignatureHeaders {
  if (!KEY_ID.test(keyId)) throw new HttpSignatureError('InvalidKeyId', 'keyid cannot be used in a header');
  const created = BigInt(unixSeconds((options.now ?? systemClock)()));
  const [targetUri] = targetUriCandidates(request, ['https'], []) as [string];
  const base = signatureBase(request, REQUIRED_COMPONENTS, keyId, created, targetUri);
  const signature = sign(null, Buffer.from(base, 'utf8'), ed25519PrivateKey(privateKey));
  return {
    'Signature-Input': `sig=${signatureParams(REQUIRED_COMPONENTS, keyId, created)}`,
    Signature: `sig=:${encodeBase64Padded(signature)}:`,
  };
}
