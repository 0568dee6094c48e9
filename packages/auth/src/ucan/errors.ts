import { AuthPackageError } from '../errors/base.js';

export type UcanErrorKind =
  | 'InvalidUcan'
  | 'UcanExpired'
  | 'ChainTooDeep'
  | 'AttenuationViolation'
  | 'ResourceMismatch'
  | 'RootMismatch'
  | 'IdentityMismatch'
  | 'UcanRevoked'
  | 'RevocationCheckFailed';

const MESSAGES: Record<UcanErrorKind, string> = {
  InvalidUcan: 'invalid UCAN',
  UcanExpired: 'UCAN expired',
  ChainTooDeep: 'UCAN chain too deep',
  AttenuationViolation: 'UCAN attenuation violation',
  ResourceMismatch: 'UCAN resource mismatch',
  RootMismatch: 'UCAN root key mismatch',
  IdentityMismatch: 'UCAN identity mismatch',
  UcanRevoked: 'UCAN revoked',
  RevocationCheckFailed: 'revocation check failed',
};

/** UCAN-15. `reason` (in `detail`) names the failed check for logs. */
export class UcanError extends AuthPackageError<UcanErrorKind> {
  readonly area = 'ucan' as const;
  override readonly name = 'UcanError';

  constructor(kind: UcanErrorKind, reason?: string, options?: { cause?: unknown }) {
    super(kind, MESSAGES[kind], {
      ...(reason === undefined ? {} : { detail: reason }),
      cause: options?.cause,
    });
  }
}
