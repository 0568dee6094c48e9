import type { IncomingMessage } from 'node:http';
import {
  canonicalizeDomain,
  extractDomainFromKeyId,
  FEDERATION_TARGET_URI_SCHEMES,
  HttpSignatureError,
  type HttpSignatureErrorKind,
  verifyHttpSignature,
} from '@less-sync/auth';
import { type FederationIdentity, federationIdentity } from './identity.js';
import type { FederationTrust } from './trust.js';

/** Why an upgrade was refused (log field and metrics label). */
export type SignatureFailureReason =
  | 'missing_headers'
  | 'malformed'
  | 'unsupported_algorithm'
  | 'stale'
  | 'uncovered_component'
  | 'unknown_key'
  | 'bad_signature'
  | 'invalid_keyid'
  | 'untrusted_domain';

export type PeerAuthResult =
  | { readonly ok: true; readonly identity: FederationIdentity }
  | {
      readonly ok: false;
      readonly status: 400 | 401 | 403;
      readonly body: string;
      readonly reason: SignatureFailureReason;
      /** Which check failed, in words, for the log line. */
      readonly detail: string;
      readonly keyId: string | undefined;
    };

export interface PeerAuthOptions {
  /** R16: this server's public base URLs (PUBLIC_URL); each adds a `@target-uri` candidate. */
  readonly publicUrls?: readonly string[];
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

const REASONS: Record<HttpSignatureErrorKind, SignatureFailureReason> = {
  MissingSignatureInput: 'missing_headers',
  MissingSignature: 'missing_headers',
  InvalidSignatureInput: 'malformed',
  InvalidSignatureHeader: 'malformed',
  UnsupportedAlgorithm: 'unsupported_algorithm',
  SignatureExpired: 'stale',
  MissingRequiredComponent: 'uncovered_component',
  KeyLookupFailed: 'unknown_key',
  VerificationFailed: 'bad_signature',
  InvalidKeyId: 'invalid_keyid',
};

const KEYID = /keyid="([^"]*)"/;

function failure(
  status: 400 | 401 | 403,
  body: string,
  reason: SignatureFailureReason,
  detail: string,
  keyId: string | undefined,
): PeerAuthResult {
  return { ok: false, status, body, reason, detail, keyId };
}

/**
 * FED-WS-03..06: verify the upgrade's HTTP message signature against the static trust map (every
 * signature failure is 401 `signature verification failed`), derive the peer domain from the keyid
 * (400 `invalid keyid`), and gate it on the trusted domains (403 `untrusted peer`). `@target-uri` is
 * tried as wss://, ws:// and from the public URLs (R16). Never throws.
 */
export async function authenticatePeer(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  trust: FederationTrust,
  options: PeerAuthOptions = {},
): Promise<PeerAuthResult> {
  const rawKeyId = KEYID.exec(String(request.headers['signature-input'] ?? ''))?.[1];
  let keyId: string;
  try {
    const verified = await verifyHttpSignature(
      { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers },
      (id) => {
        const key = trust.keys.get(id);
        if (key === undefined) throw new HttpSignatureError('KeyLookupFailed', 'unknown keyid');
        return key;
      },
      {
        targetUriSchemes: FEDERATION_TARGET_URI_SCHEMES,
        publicUrls: options.publicUrls ?? [],
        ...(options.now === undefined ? {} : { now: options.now }),
      },
    );
    keyId = verified.keyId;
  } catch (err) {
    const kind = err instanceof HttpSignatureError ? err.kind : 'VerificationFailed';
    const detail = err instanceof Error ? err.message : String(err);
    return failure(401, 'signature verification failed', REASONS[kind], detail, rawKeyId);
  }
  let domain: string;
  try {
    domain = canonicalizeDomain(extractDomainFromKeyId(keyId));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return failure(400, 'invalid keyid', 'invalid_keyid', detail, keyId);
  }
  if (domain === '') return failure(400, 'invalid keyid', 'invalid_keyid', 'empty domain', keyId);
  if (!trust.trustedDomains.includes(domain)) {
    return failure(403, 'untrusted peer', 'untrusted_domain', `peer domain ${domain} is not trusted`, keyId);
  }
  return { ok: true, identity: federationIdentity(domain, keyId) };
}
