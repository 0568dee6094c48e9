import { type KeyObject, verify } from 'node:crypto';
import { type Clock, systemClock } from '../encoding/clock.js';
import { type HttpRequestLike, headerValue, signatureBase, targetUriCandidates } from './components.js';
import { HttpSignatureError } from './errors.js';
import { ed25519PublicKey } from './keys.js';
import { parseSignatureInput, parseSignatureValue } from './parse.js';
import { REQUIRED_COMPONENTS } from './sign.js';

export const DEFAULT_SIGNATURE_MAX_AGE_SECONDS = 300;

/** Schemes a federation upgrade's `@target-uri` is rebuilt with (R16): TLS peers dial wss://. */
export const FEDERATION_TARGET_URI_SCHEMES: readonly string[] = ['wss', 'ws'];

export interface HttpSignatureParams {
  readonly keyId: string;
  readonly algorithm: string;
  /** Unix seconds. */
  readonly created: number;
  readonly coveredComponents: readonly string[];
  /** The `@target-uri` value that verified. */
  readonly targetUri: string;
}

/** Resolves a keyid to an Ed25519 public key (32 raw bytes or a KeyObject). Throw to refuse. */
export type HttpSignatureKeyLookup = (
  keyId: string,
) => Uint8Array | KeyObject | Promise<Uint8Array | KeyObject>;

export interface VerifyHttpSignatureOptions {
  /** Largest |now − created| accepted, in seconds. Default 300. */
  readonly maxAgeSeconds?: number;
  readonly now?: Clock;
  /**
   * Schemes tried when the request target is not absolute. Default `['https']` (the reference);
   * the federation endpoint passes FEDERATION_TARGET_URI_SCHEMES.
   */
  readonly targetUriSchemes?: readonly string[];
  /** This server's public base URLs; each adds a candidate with its host and ws/wss scheme (R16). */
  readonly publicUrls?: readonly string[];
}

/**
 * HTTPSIG-06: headers present → Signature-Input parses → alg ed25519 → fresh → @method,
 * @target-uri and host covered → Signature parses → key lookup → Ed25519 over the rebuilt base.
 * The first failure wins. A key lookup that throws an HttpSignatureError is passed through; any
 * other error becomes KeyLookupFailed.
 */
export async function verifyHttpSignature(
  request: HttpRequestLike,
  getKey: HttpSignatureKeyLookup,
  options: VerifyHttpSignatureOptions = {},
): Promise<HttpSignatureParams> {
  const inputHeader = headerValue(request.headers, 'signature-input');
  if (inputHeader === undefined) throw new HttpSignatureError('MissingSignatureInput');
  const signatureHeader = headerValue(request.headers, 'signature');
  if (signatureHeader === undefined) throw new HttpSignatureError('MissingSignature');

  const input = parseSignatureInput(inputHeader);
  if (typeof input === 'string') throw new HttpSignatureError('InvalidSignatureInput', input);
  if (input.algorithm !== 'ed25519') throw new HttpSignatureError('UnsupportedAlgorithm', input.algorithm);

  const maxAgeMs = (options.maxAgeSeconds ?? DEFAULT_SIGNATURE_MAX_AGE_SECONDS) * 1000;
  const created = Number(input.created);
  if (Math.abs((options.now ?? systemClock)() - created * 1000) > maxAgeMs) {
    throw new HttpSignatureError('SignatureExpired');
  }
  for (const component of REQUIRED_COMPONENTS) {
    if (!input.coveredComponents.includes(component)) {
      throw new HttpSignatureError('MissingRequiredComponent', component);
    }
  }
  const signature = parseSignatureValue(signatureHeader);
  if (typeof signature === 'string') throw new HttpSignatureError('InvalidSignatureHeader', signature);

  const key = await lookupKey(getKey, input.keyId);
  const candidates = targetUriCandidates(
    request,
    options.targetUriSchemes ?? ['https'],
    options.publicUrls ?? [],
  );
  for (const targetUri of candidates) {
    const base = signatureBase(request, input.coveredComponents, input.keyId, input.created, targetUri);
    if (verifyEd25519(key, base, signature)) {
      return {
        keyId: input.keyId,
        algorithm: input.algorithm,
        created,
        coveredComponents: input.coveredComponents,
        targetUri,
      };
    }
  }
  throw new HttpSignatureError('VerificationFailed');
}

async function lookupKey(getKey: HttpSignatureKeyLookup, keyId: string): Promise<KeyObject> {
  try {
    return ed25519PublicKey(await getKey(keyId));
  } catch (error) {
    if (error instanceof HttpSignatureError) throw error;
    throw new HttpSignatureError('KeyLookupFailed', error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

function verifyEd25519(key: KeyObject, base: string, signature: Uint8Array): boolean {
  try {
    return verify(null, Buffer.from(base, 'utf8'), key, signature);
  } catch {
    return false;
  }
}
