import { AuthPackageError } from '../errors/base.js';

export type HttpSignatureErrorKind =
  | 'MissingSignatureInput'
  | 'MissingSignature'
  | 'InvalidSignatureInput'
  | 'UnsupportedAlgorithm'
  | 'SignatureExpired'
  | 'MissingRequiredComponent'
  | 'InvalidSignatureHeader'
  | 'KeyLookupFailed'
  | 'VerificationFailed'
  | 'InvalidKeyId';

const MESSAGES: Record<HttpSignatureErrorKind, (detail: string) => string> = {
  MissingSignatureInput: () => 'missing Signature-Input header',
  MissingSignature: () => 'missing Signature header',
  InvalidSignatureInput: (d) => `invalid Signature-Input: ${d}`,
  UnsupportedAlgorithm: (d) => `unsupported algorithm: ${d}`,
  SignatureExpired: () => 'signature expired',
  MissingRequiredComponent: (d) => `required component ${JSON.stringify(d)} not covered`,
  InvalidSignatureHeader: (d) => `invalid Signature header: ${d}`,
  KeyLookupFailed: (d) => `key lookup failed: ${d}`,
  VerificationFailed: () => 'signature verification failed',
  InvalidKeyId: (d) => `invalid keyid: ${d}`,
};

/** HTTPSIG-10. `detail` is the variant payload (parser message, algorithm, component, ...). */
export class HttpSignatureError extends AuthPackageError<HttpSignatureErrorKind> {
  readonly area = 'httpsig' as const;
  override readonly name = 'HttpSignatureError';

  constructor(kind: HttpSignatureErrorKind, detail = '', options?: { cause?: unknown }) {
    super(kind, MESSAGES[kind](detail), { detail, cause: options?.cause });
  }
}
